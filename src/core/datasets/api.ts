/**
 * The dataset API for the preview, the CLI and the training launcher, in one import. Typical use:
 *
 *   const dataset = await openDataset(path, { onProgress });      // first rows readable on return
 *   const page = await dataset.rows(0, 50);                        // canonical rows, parsed on demand
 *   const validator = await createRowValidator(dataset, options);  // problems of the visible rows
 *   const report = await validateDataset(dataset, options);        // every row, counts by code
 */
export { openDataset } from './openDataset';
export { detectSource, type DetectedSource } from './detect';
export { createRowValidator, validateDataset, type RowValidator } from './validate/validateDataset';
export { imageTokensFor, DEFAULT_IMAGE_TOKENS } from './validate/imageTokens';
export { convertToMessagesJsonl, type ConvertResult } from './convert';
export * from './types';
