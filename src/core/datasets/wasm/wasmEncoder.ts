/**
 * A tiny WebAssembly binary encoder: just the instructions the structural scanner uses, written as
 * folded-expression helpers so the scanner source reads like WAT (operands first, then the opcode).
 * We emit the module at run time instead of shipping a prebuilt .wasm blob: no toolchain, no binary
 * in the repo, and the source is the TypeScript a reviewer reads.
 */
export type Code = number[];

export function uleb(value: number): Code {
  const out: Code = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function sleb(value: bigint): Code {
  const out: Code = [];
  let v = value;
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const cat = (...parts: Code[]): Code => parts.flat();
const unary = (...op: Code) => (a: Code): Code => cat(a, op);
const binary = (...op: Code) => (a: Code, b: Code): Code => cat(a, b, op);
const simd = (n: number): Code => [0xfd, ...uleb(n)];

export const I32 = 0x7f;
export const I64 = 0x7e;
export const V128 = 0x7b;

export const local = {
  get: (index: number): Code => [0x20, ...uleb(index)],
  set: (index: number, value: Code): Code => cat(value, [0x21, ...uleb(index)]),
  /** Sets and leaves the value on the stack. */
  tee: (index: number, value: Code): Code => cat(value, [0x22, ...uleb(index)]),
};
export const global = {
  get: (index: number): Code => [0x23, ...uleb(index)],
  set: (index: number, value: Code): Code => cat(value, [0x24, ...uleb(index)]),
};

export const i32 = {
  const: (n: number): Code => [0x41, ...sleb(BigInt(n | 0))],
  eqz: unary(0x45), eq: binary(0x46), ltU: binary(0x49), gtU: binary(0x4b), leS: binary(0x4c), leU: binary(0x4d),
  geS: binary(0x4e), geU: binary(0x4f), add: binary(0x6a), sub: binary(0x6b), or: binary(0x72), shl: binary(0x74),
  wrapI64: unary(0xa7),
  store: (address: Code, value: Code, offset: number): Code => cat(address, value, [0x36, 2, ...uleb(offset)]),
};

export const i64 = {
  const: (n: bigint): Code => [0x42, ...sleb(BigInt.asIntN(64, n))],
  eqz: unary(0x50), ne: binary(0x52), ltU: binary(0x54), ctz: unary(0x7a), popcnt: unary(0x7b),
  add: binary(0x7c), sub: binary(0x7d), and: binary(0x83), or: binary(0x84), xor: binary(0x85),
  shl: binary(0x86), shrS: binary(0x87), extendI32U: unary(0xad),
  not: (a: Code): Code => cat(a, [0x42, 0x7f, 0x85]),
};

export const v128 = {
  load: (address: Code, offset: number): Code => cat(address, simd(0), [4, ...uleb(offset)]),
  splat8: (byte: number): Code => cat(simd(12), new Array<number>(16).fill(byte & 0xff)),
  zero: (): Code => cat(simd(12), new Array<number>(16).fill(0)),
  and: binary(...simd(78)), or: binary(...simd(80)), anyTrue: unary(...simd(83)),
  eq8: binary(...simd(35)), sub8: binary(...simd(113)), bitmask8: unary(...simd(100)),
  shl8: (a: Code, bits: number): Code => cat(a, i32.const(bits), simd(107)),
  /** Sum of the 16 unsigned byte lanes, as i32. */
  sumU8: (a: Code): Code => sumLanes(cat(a, simd(125), simd(127))), // extadd_pairwise u8→u16→u32
};

/** Adds the four i32 lanes of an i32x4 expression (evaluated once per lane: pass something cheap). */
function sumLanes(vector: Code): Code {
  const lane = (n: number): Code => cat(vector, simd(27), [n]); // i32x4.extract_lane
  return i32.add(i32.add(lane(0), lane(1)), i32.add(lane(2), lane(3)));
}

export const control = {
  block: (...body: Code[]): Code => cat([0x02, 0x40], ...body, [0x0b]),
  loop: (...body: Code[]): Code => cat([0x03, 0x40], ...body, [0x0b]),
  if: (condition: Code, then: Code[], otherwise: Code[] = []): Code =>
    cat(condition, [0x04, 0x40], ...then, otherwise.length ? cat([0x05], ...otherwise) : [], [0x0b]),
  /** `if` producing a value of `type`. */
  ifValue: (type: number, condition: Code, then: Code, otherwise: Code): Code => cat(condition, [0x04, type], then, [0x05], otherwise, [0x0b]),
  br: (depth: number): Code => [0x0c, ...uleb(depth)],
  brIf: (depth: number, condition: Code): Code => cat(condition, [0x0d, ...uleb(depth)]),
  select: (ifTrue: Code, ifFalse: Code, condition: Code): Code => cat(ifTrue, ifFalse, condition, [0x1b]),
};

export interface FunctionSpec {
  name: string;
  params: number[];
  results: number[];
  locals: number[];
  body: Code;
}

export interface GlobalSpec {
  type: number;
  init: Code;
}

const section = (id: number, payload: Code): Code => cat([id], uleb(payload.length), payload);
const vector = (items: Code[]): Code => cat(uleb(items.length), ...items);
const name = (text: string): Code => { const bytes = [...Buffer.from(text, 'utf8')]; return cat(uleb(bytes.length), bytes); };

/** A module importing `env.mem` (≥ minPages) with the given globals and exported functions. */
export function encodeModule(minPages: number, globals: GlobalSpec[], functions: FunctionSpec[]): Uint8Array {
  const types = functions.map((f) => cat([0x60], vector(f.params.map((t) => [t])), vector(f.results.map((t) => [t]))));
  const imports = vector([cat(name('env'), name('mem'), [0x02, 0x00], uleb(minPages))]);
  const globalSection = vector(globals.map((g) => cat([g.type, 0x01], g.init, [0x0b])));
  const exports = vector(functions.map((f, index) => cat(name(f.name), [0x00], uleb(index))));
  const bodies = vector(functions.map((f) => {
    const locals = vector(f.locals.map((t) => [1, t]));
    const body = cat(locals, f.body, [0x0b]);
    return cat(uleb(body.length), body);
  }));
  return new Uint8Array(cat(
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    section(1, vector(types)),
    section(2, imports),
    section(3, vector(functions.map((_, index) => uleb(index)))),
    section(6, globalSection),
    section(7, exports),
    section(10, bodies),
  ));
}
