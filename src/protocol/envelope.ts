/**
 * The envelope every webview ↔ host message uses. A webview posts `ready` first; the host answers
 * with state. Requests carry an id; the reply carries the same id and a result or an error.
 */
export interface RequestEnvelope<Method extends string, Params> {
  kind: 'request';
  id: number;
  method: Method;
  params: Params;
}

export interface ReplyEnvelope<Result> {
  kind: 'reply';
  id: number;
  result?: Result;
  error?: string;
}

export interface NotifyEnvelope<Type extends string, Payload> {
  kind: 'notify';
  type: Type;
  payload: Payload;
}

/** A validation failure for an inbound message: what was wrong, at which path. */
export class MessageError extends Error {
  constructor(public readonly path: string, detail: string) {
    super(`invalid message at ${path}: ${detail}`);
  }
}

type Check = (value: unknown, path: string) => void;

/** Tiny schema combinators: enough to validate every inbound message without a dependency. */
export const is = {
  string: ((v, p) => { if (typeof v !== 'string') throw new MessageError(p, `expected string, got ${typeof v}`); }) as Check,
  number: ((v, p) => { if (typeof v !== 'number' || !Number.isFinite(v)) throw new MessageError(p, `expected finite number, got ${String(v)}`); }) as Check,
  integer: ((v, p) => { if (!Number.isSafeInteger(v)) throw new MessageError(p, `expected integer, got ${String(v)}`); }) as Check,
  boolean: ((v, p) => { if (typeof v !== 'boolean') throw new MessageError(p, `expected boolean, got ${typeof v}`); }) as Check,
  literal: (...values: readonly unknown[]): Check => (v, p) => {
    if (!values.includes(v)) throw new MessageError(p, `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${JSON.stringify(v)}`);
  },
  array: (item: Check, max = 100_000): Check => (v, p) => {
    if (!Array.isArray(v)) throw new MessageError(p, 'expected array');
    if (v.length > max) throw new MessageError(p, `array longer than ${max}`);
    v.forEach((x, i) => item(x, `${p}[${i}]`));
  },
  optional: (inner: Check): Check => (v, p) => { if (v !== undefined) inner(v, p); },
  object: (shape: Record<string, Check>): Check => (v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MessageError(p, 'expected object');
    const record = v as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!Object.hasOwn(shape, key)) throw new MessageError(`${p}.${key}`, 'unexpected field');
    }
    for (const [key, check] of Object.entries(shape)) check(record[key], `${p}.${key}`);
  },
  maxLength: (max: number): Check => (v, p) => {
    is.string(v, p);
    if ((v as string).length > max) throw new MessageError(p, `string longer than ${max}`);
  },
};
export type { Check };
