/**
 * The one entry point: `openDataset(path, options)` detects the format, starts the index and
 * resolves once the first rows are readable (the rest of a big JSON file keeps indexing behind
 * `dataset.done`). Rejects with a DatasetError when nothing at all can be read.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { detectSource, refineJsonFormat } from './detect';
import { ArrowSource } from './readers/arrowSource';
import { JsonDataset } from './readers/jsonDataset';
import { ParquetSource } from './readers/parquetSource';
import { TableDataset } from './readers/tableDataset';
import type { Dataset, FieldMapping, OpenOptions } from './types';

/** Folders LLaVA-style datasets keep images in, tried when relative paths do not resolve beside the file. */
const IMAGE_FOLDERS = ['images', 'image', 'imgs', 'data', 'data/images'];

const mappingColumns = (mapping: FieldMapping | undefined): (string | undefined)[] =>
  [mapping?.messages, mapping?.images, mapping?.id, mapping?.system];

export async function openDataset(path: string, options: OpenOptions = {}): Promise<Dataset> {
  const detected = await detectSource(path, options.format, options.split);
  const explicitRoot = options.imageRoot ? resolve(options.imageRoot) : null;
  if (detected.format === 'hf-parquet' || detected.format === 'hf-arrow') {
    const open = detected.format === 'hf-parquet' ? ParquetSource.open : ArrowSource.open;
    const source = await open(detected.files, mappingColumns(options.mapping));
    const context = { imageRoot: explicitRoot ?? detected.folder, mapping: options.mapping };
    return new TableDataset(resolve(path), detected.format, source, detected.splits, detected.split, context);
  }
  const file = detected.files[0]!;
  const size = (await stat(file)).size;
  const dataset = new JsonDataset(file, detected.format, size, explicitRoot ?? detected.folder, options);
  await dataset.waitForRows(1);
  if (dataset.rowCount === 0) await dataset.done; // throws when the file could not be indexed at all
  if (!options.format) dataset.format = refineJsonFormat(dataset.format, await dataset.record(0));
  if (!explicitRoot) dataset.context = { ...dataset.context, imageRoot: await guessImageRoot(dataset, detected.folder) };
  return dataset;
}

/** The dataset's folder, or an image subfolder when the first relative image path only resolves there. */
async function guessImageRoot(dataset: JsonDataset, folder: string): Promise<string> {
  const rows = await dataset.rows(0, 50);
  for (const row of rows) {
    const image = row.images.find((ref) => ref.kind === 'file' && !ref.written.startsWith('/'));
    if (!image || image.kind !== 'file') continue;
    if (existsSync(join(folder, image.written))) return folder;
    const found = IMAGE_FOLDERS.map((sub) => join(folder, sub)).find((root) => existsSync(join(root, image.written)));
    return found ?? folder;
  }
  return folder;
}
