/** An error the CLI reports as one line with exit code 2 (bad arguments, unreadable input). */
export class UsageError extends Error {}

/** Output sink: the CLI writes through this so tests can capture it. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};
