// TensorBoard event files: read (whole, incremental, in memory) and write. Node only, no vscode.
export { readEventFile, parseEventBytes } from './read';
export { EventFileTail, type EventFileTailOptions } from './tail';
export { nodeEventFile, type EventFileHandle, type OpenEventFile } from './file-source';
export {
  encodeEvent,
  encodeRecord,
  encodeRecords,
  eventFileName,
  EventFileWriter,
  type EventSpec,
  type ScalarEncoding,
} from './writer';
export { crc32c, maskCrc, unmaskCrc } from './crc32c';
export type { Damage, EventFileContents, EventFileDelta, ScalarSeries, TextSummary } from './types';
