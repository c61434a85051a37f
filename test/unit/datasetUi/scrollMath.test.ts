import assert from 'node:assert/strict';
import {
  clampVirtualTop, rowOffset, rowWindow, scrollFromVirtual, scrollRatio, spacerHeight, topForRow, virtualFromScroll, wheelPixels, type Geometry,
} from '../../../webview/dataset/scrollMath';

const small: Geometry = { rows: 100, rowHeight: 240, viewport: 900 };
/** llava_v1_5_mix665k: 665,298 rows × 240 px = 160M px, far past any browser's element height. */
const huge: Geometry = { rows: 665_298, rowHeight: 240, viewport: 900 };

describe('dataset preview: virtual scroll window math', () => {
  it('spacer height is the content height until the cap, then the cap', () => {
    const cases: [Geometry, number][] = [
      [small, 24_000],
      [huge, 8_000_000],
      [{ rows: 0, rowHeight: 240, viewport: 900 }, 0],
      [{ ...huge, maxSpacer: 1_000_000 }, 1_000_000],
    ];
    for (const [g, expected] of cases) assert.equal(spacerHeight(g), expected, JSON.stringify(g));
  });

  it('ratio is 1 unscaled and maps the whole scrollbar range to the whole list when scaled', () => {
    assert.equal(scrollRatio(small), 1);
    assert.equal(scrollRatio({ rows: 2, rowHeight: 240, viewport: 900 }), 1, 'shorter than the viewport');
    const r = scrollRatio(huge);
    assert.ok(Math.abs(r - (665_298 * 240 - 900) / (8_000_000 - 900)) < 1e-9);
    // The scrollbar's end is the list's end: the last row is reachable.
    const end = virtualFromScroll(8_000_000 - 900, huge);
    assert.equal(end, 665_298 * 240 - 900);
    assert.equal(rowWindow(end, huge).visibleEnd, 665_298);
  });

  it('virtual ↔ scroll round-trips and clamps', () => {
    for (const g of [small, huge]) {
      for (const top of [0, 1234, 50_000, 10_000_000, 200_000_000, -5]) {
        const clamped = clampVirtualTop(top, g);
        assert.ok(Math.abs(virtualFromScroll(scrollFromVirtual(top, g), g) - clamped) < 1e-6, `${top}`);
      }
    }
    assert.equal(clampVirtualTop(-10, small), 0);
    assert.equal(clampVirtualTop(1e12, small), 24_000 - 900);
  });

  it('window covers the screen plus overscan, clamped to the rows', () => {
    const cases: [number, Geometry, number, { first: number; end: number; visibleFirst: number; visibleEnd: number }][] = [
      [0, small, 2, { first: 0, end: 6, visibleFirst: 0, visibleEnd: 4 }],
      [240 * 10 + 100, small, 2, { first: 8, end: 17, visibleFirst: 10, visibleEnd: 15 }],
      [24_000 - 900, small, 2, { first: 94, end: 100, visibleFirst: 96, visibleEnd: 100 }],
      [0, { rows: 0, rowHeight: 240, viewport: 900 }, 2, { first: 0, end: 0, visibleFirst: 0, visibleEnd: 0 }],
      [0, { rows: 1, rowHeight: 240, viewport: 900 }, 2, { first: 0, end: 1, visibleFirst: 0, visibleEnd: 1 }],
      [240 * 500_000, huge, 0, { first: 500_000, end: 500_004, visibleFirst: 500_000, visibleEnd: 500_004 }],
    ];
    for (const [top, g, overscan, expected] of cases) assert.deepEqual(rowWindow(top, g, overscan), expected, `top ${top}`);
  });

  it('rows sit at their virtual offset plus the scroll position (no offset work when unscaled)', () => {
    // Unscaled: the spacer scrolls natively, so row 10 is always at 2400.
    assert.equal(rowOffset(10, 2400, 2400, small), 2400);
    assert.equal(rowOffset(10, 1000, 1000, small), 2400);
    // Scaled: row 500,000 at the top of the screen is drawn at the scroll position.
    const top = 500_000 * 240;
    const scrollTop = scrollFromVirtual(top, huge);
    assert.ok(Math.abs(rowOffset(500_000, top, scrollTop, huge) - scrollTop) < 1e-6);
    assert.ok(Math.abs(rowOffset(500_001, top, scrollTop, huge) - scrollTop - 240) < 1e-6);
  });

  it('topForRow: start puts the row at the top; nearest moves only as far as needed', () => {
    assert.equal(topForRow(50, small, 'start'), 50 * 240);
    assert.equal(topForRow(99, small, 'start'), 24_000 - 900, 'clamped at the end');
    assert.equal(topForRow(5, small, 'nearest', 0), 5 * 240 + 240 - 900, 'below: bottom-aligned');
    assert.equal(topForRow(1, small, 'nearest', 0), 0, 'already visible: unchanged');
    assert.equal(topForRow(2, small, 'nearest', 2000), 480, 'above: top-aligned');
    assert.equal(topForRow(600_000, huge, 'start'), 600_000 * 240);
  });

  it('wheel deltas in lines and pages become pixels', () => {
    assert.deepEqual([wheelPixels(100, 0, 900), wheelPixels(3, 1, 900), wheelPixels(1, 2, 900)], [100, 48, 900]);
  });
});
