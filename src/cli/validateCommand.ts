import { parseArgs } from 'node:util';
import { openDataset } from '../core/datasets/openDataset';
import { DATASET_FORMATS, DatasetError, PROBLEM_CODES, type DatasetFormat, type FieldMapping, type ValidationReport } from '../core/datasets/types';
import { validateDataset } from '../core/datasets/validate/validateDataset';
import { UsageError, type Io } from './usageError';

export const validateUsage = 'llava-studio validate PATH [--images DIR] [--model DIR] [--max-length N] [--format F] [--split S] [--mapping JSON] [--image-check decode|header|none] [--json]';

const MAPPING_KEYS = ['messages', 'role', 'content', 'images', 'id', 'system', 'roles', 'imageToken'];

/** `--mapping '{"messages": "dialog", "role": "speaker", "roles": {"user": ["customer"]}}'`. */
export function parseMapping(value: string | undefined): FieldMapping | undefined {
  if (value === undefined) return undefined;
  let mapping: unknown;
  try {
    mapping = JSON.parse(value);
  } catch {
    throw new UsageError(`--mapping is not JSON: ${value.slice(0, 80)}`);
  }
  if (!mapping || typeof mapping !== 'object' || Array.isArray(mapping)) throw new UsageError('--mapping must be a JSON object');
  const unknown = Object.keys(mapping).filter((k) => !MAPPING_KEYS.includes(k));
  if (unknown.length > 0) throw new UsageError(`--mapping has unknown keys ${unknown.join(', ')} (known: ${MAPPING_KEYS.join(', ')})`);
  return mapping as FieldMapping;
}

const SHOWN_PROBLEMS = 20;

export function parseFormat(value: string | undefined): DatasetFormat | undefined {
  if (value === undefined) return undefined;
  if (!(DATASET_FORMATS as readonly string[]).includes(value)) throw new UsageError(`unknown --format '${value}' (one of: ${DATASET_FORMATS.join(', ')})`);
  return value as DatasetFormat;
}

/** The `validate --json` contract shape. */
export function validateJsonShape(report: ValidationReport): object {
  return {
    format: report.format,
    rows: report.rows,
    images: report.images,
    problems: report.problems.map((p) => ({ row: p.row, line: p.line, code: p.code, message: p.message })),
    counts: report.counts,
  };
}

function humanSummary(path: string, root: string, report: ValidationReport): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const lines = [
    `${path}: ${report.format}, ${n(report.rows)} rows, ${n(report.images)} image references (${n(report.distinctImageFiles)} distinct files)`,
    `image root: ${root}`,
    `tokens: ${report.tokenBasis}; max length ${n(report.maxLength)}`,
    `rows ok: ${n(report.rowsOk)}; rows with problems: ${n(report.rowsWithProblems)}`,
  ];
  const present = PROBLEM_CODES.filter((code) => report.counts[code] > 0);
  if (present.length === 0) return lines.concat('no problems found').join('\n') + '\n';
  const width = Math.max(...present.map((c) => c.length));
  lines.push('', 'problems by code:', ...present.map((code) => `  ${code.padEnd(width)}  ${n(report.counts[code])}`));
  lines.push('', `first ${Math.min(SHOWN_PROBLEMS, report.problems.length)} of ${n(report.problems.length)} problems:`);
  for (const p of report.problems.slice(0, SHOWN_PROBLEMS)) {
    lines.push(`  row ${p.row}${p.line === null ? '' : ` (line ${p.line})`}: ${p.code}: ${p.message}`);
  }
  if (report.problems.length > SHOWN_PROBLEMS) lines.push('  (--json lists them all)');
  return lines.join('\n') + '\n';
}

export async function validateCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      images: { type: 'string' }, model: { type: 'string' }, 'max-length': { type: 'string' }, format: { type: 'string' },
      split: { type: 'string' }, mapping: { type: 'string' }, 'image-check': { type: 'string' }, json: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`usage: ${validateUsage}`);
  const path = positionals[0]!;
  const maxLength = values['max-length'] === undefined ? undefined : Number(values['max-length']);
  if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength > 0)) throw new UsageError(`--max-length must be a positive integer, got '${values['max-length']}'`);
  const imageCheck = values['image-check'];
  if (imageCheck !== undefined && !['decode', 'header', 'none'].includes(imageCheck)) throw new UsageError(`--image-check must be decode, header or none, got '${imageCheck}'`);
  try {
    const dataset = await openDataset(path, { format: parseFormat(values.format), imageRoot: values.images, split: values.split, mapping: parseMapping(values.mapping) });
    try {
      const report = await validateDataset(dataset, {
        modelDir: values.model, maxLength, imageCheck: imageCheck as 'decode' | 'header' | 'none' | undefined,
      });
      io.out(values.json ? JSON.stringify(validateJsonShape(report)) + '\n' : humanSummary(path, dataset.imageRoot, report));
      return report.problems.length > 0 ? 1 : 0;
    } finally {
      await dataset.close();
    }
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(`cannot read ${path}: ${error.message}`);
    throw error;
  }
}
