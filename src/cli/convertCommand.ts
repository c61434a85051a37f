import { parseArgs } from 'node:util';
import { ConvertRefused, convertToMessagesJsonl } from '../core/datasets/convert';
import { openDataset } from '../core/datasets/openDataset';
import { DatasetError } from '../core/datasets/types';
import { UsageError, type Io } from './usageError';
import { parseFormat, parseMapping } from './validateCommand';

export const convertUsage = 'llava-studio convert PATH --to messages-jsonl OUT [--images DIR] [--format F] [--split S] [--mapping JSON]';

const SHOWN = 20;

/** Exit 0 when every row was written whole, 1 when rows or parts were not (listed), 2 when PATH cannot be read. */
export async function convertCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { to: { type: 'string' }, images: { type: 'string' }, format: { type: 'string' }, split: { type: 'string' }, mapping: { type: 'string' } },
  });
  if (positionals.length !== 2 || values.to === undefined) throw new UsageError(`usage: ${convertUsage}`);
  if (values.to !== 'messages-jsonl') throw new UsageError(`unknown --to '${values.to}' (only messages-jsonl)`);
  const [path, out] = positionals as [string, string];
  try {
    const dataset = await openDataset(path, { format: parseFormat(values.format), imageRoot: values.images, split: values.split, mapping: parseMapping(values.mapping) });
    try {
      const result = await convertToMessagesJsonl(dataset, out);
      const extracted = result.extractedImages > 0 ? `, ${result.extractedImages} embedded images written to ${out}_images/` : '';
      io.out(`${out}: ${result.written} of ${result.rows} rows, ${result.images} images${extracted}\n`);
      if (result.skipped.length === 0) return 0;
      io.out(`${result.skipped.length} rows or parts not converted whole:\n`);
      for (const p of result.skipped.slice(0, SHOWN)) io.out(`  row ${p.row}${p.line === null ? '' : ` (line ${p.line})`}: ${p.code}: ${p.message}\n`);
      if (result.skipped.length > SHOWN) io.out(`  … and ${result.skipped.length - SHOWN} more\n`);
      return 1;
    } finally {
      await dataset.close();
    }
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(`cannot read ${path}: ${error.message}`);
    if (error instanceof ConvertRefused) throw new UsageError(error.message);
    throw error;
  }
}
