/**
 * Values that go into an sbatch script. `#SBATCH` lines are not shell: sbatch splits them itself
 * (src/sbatch/opt.c `_get_argument`): whitespace ends an argument unless quoted, a backslash escapes
 * the next character, and an unescaped `#` starts a comment — inside double quotes too on older Slurm,
 * and older Slurm knows only double quotes. So a value is written in double quotes with `\`, `"`, `'`
 * and `#` backslash-escaped, which every version reads back unchanged. A newline can never be
 * escaped there (nor in the script's comments): values with control characters are refused.
 */

/** Throws when `value` holds a control character (newline, tab, NUL…), naming the setting. */
export function refuseControlCharacters(value: string, what: string): void {
  const at = value.search(/[\u0000-\u001f\u007f]/);
  if (at >= 0) {
    const code = value.charCodeAt(at).toString(16).padStart(2, '0');
    throw new Error(`${what} ${JSON.stringify(value)} has a control character (\\x${code}) at index ${at}: an sbatch script cannot carry it; rename it`);
  }
}

/** A value for an `#SBATCH --name=VALUE` line. */
export function sbatchQuote(value: string): string {
  return `"${value.replace(/[\\"'#]/g, (c) => `\\${c}`)}"`;
}

/**
 * A literal path in an sbatch filename pattern (--output): `%` becomes `%%`. A backslash would switch
 * pattern replacement off altogether (then `%j` stays `%j`), so it is refused.
 */
export function slurmPatternLiteral(path: string, what: string): string {
  if (path.includes('\\')) throw new Error(`${what} ${JSON.stringify(path)} has a backslash: sbatch output patterns treat it as "no replacements"; rename it`);
  return path.replace(/%/g, '%%');
}

/** Partition and account names (a partition may be a comma-separated list). */
export const SLURM_NAME = /^[\w.,-]+$/;

/**
 * sbatch --time: minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes,
 * days-hours:minutes:seconds, or UNLIMITED / INFINITE.
 */
export const SLURM_TIME = /^(\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2}|UNLIMITED|INFINITE)$/i;

/** sbatch --mem: a number with an optional K/M/G/T unit (megabytes by default). */
export const SLURM_MEM = /^\d+[KMGT]?$/i;
