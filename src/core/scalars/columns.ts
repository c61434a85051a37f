/** Columnar points of one run/tag that grow by appends without reallocating on every one. */
export class GrowableSeries {
  private stepBuf: Float64Array;
  private wallBuf: Float64Array;
  private valueBuf: Float64Array;
  length = 0;
  /** Bumped on every change, so derived data (smoothing, downsampling) knows when to recompute. */
  version = 0;

  constructor(capacity = 16) {
    this.stepBuf = new Float64Array(capacity);
    this.wallBuf = new Float64Array(capacity);
    this.valueBuf = new Float64Array(capacity);
  }

  /** Wraps existing columns without copying; they must have equal lengths. */
  static from(step: Float64Array, wall: Float64Array, value: Float64Array): GrowableSeries {
    if (step.length !== wall.length || step.length !== value.length) {
      throw new Error(`column lengths differ: step ${step.length}, wall ${wall.length}, value ${value.length}`);
    }
    const series = new GrowableSeries(0);
    series.stepBuf = step;
    series.wallBuf = wall;
    series.valueBuf = value;
    series.length = step.length;
    return series;
  }

  get step(): Float64Array { return this.stepBuf.subarray(0, this.length); }
  get wall(): Float64Array { return this.wallBuf.subarray(0, this.length); }
  get value(): Float64Array { return this.valueBuf.subarray(0, this.length); }

  append(step: ArrayLike<number>, wall: ArrayLike<number>, value: ArrayLike<number>): void {
    const add = step.length;
    if (wall.length !== add || value.length !== add) {
      throw new Error(`column lengths differ: step ${add}, wall ${wall.length}, value ${value.length}`);
    }
    if (add === 0) return;
    this.reserve(this.length + add);
    this.stepBuf.set(step, this.length);
    this.wallBuf.set(wall, this.length);
    this.valueBuf.set(value, this.length);
    this.length += add;
    this.version++;
  }

  private reserve(needed: number): void {
    if (needed <= this.stepBuf.length) return;
    const capacity = Math.max(needed, this.stepBuf.length * 2, 16);
    const grow = (old: Float64Array): Float64Array => {
      const next = new Float64Array(capacity);
      next.set(old.subarray(0, this.length));
      return next;
    };
    this.stepBuf = grow(this.stepBuf);
    this.wallBuf = grow(this.wallBuf);
    this.valueBuf = grow(this.valueBuf);
  }
}
