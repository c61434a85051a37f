/**
 * Virtual scrolling over up to millions of fixed-height rows. Browsers cap an element's height
 * (Chrome ~33M px, Firefox ~17M), so past `maxSpacer` the scrollbar is scaled: the thumb maps the
 * whole list, while wheel and keys move the "virtual" top pixel by pixel. Pure functions, no DOM.
 */
export const MAX_SPACER = 8_000_000;

export interface Geometry {
  rows: number;
  rowHeight: number;
  /** Height of the scrolling viewport. */
  viewport: number;
  maxSpacer?: number;
}

export function contentHeight(g: Geometry): number {
  return g.rows * g.rowHeight;
}

/** Height of the element that gives the scrollbar its range. */
export function spacerHeight(g: Geometry): number {
  return Math.min(contentHeight(g), g.maxSpacer ?? MAX_SPACER);
}

/** Virtual pixels per scrollbar pixel (1 until the list is taller than the spacer cap). */
export function scrollRatio(g: Geometry): number {
  const virtualRange = contentHeight(g) - g.viewport;
  const realRange = spacerHeight(g) - g.viewport;
  if (virtualRange <= 0 || realRange <= 0) return 1;
  return Math.max(1, virtualRange / realRange);
}

export function clampVirtualTop(top: number, g: Geometry): number {
  return Math.min(Math.max(0, top), Math.max(0, contentHeight(g) - g.viewport));
}

export function virtualFromScroll(scrollTop: number, g: Geometry): number {
  return clampVirtualTop(scrollTop * scrollRatio(g), g);
}

export function scrollFromVirtual(top: number, g: Geometry): number {
  return clampVirtualTop(top, g) / scrollRatio(g);
}

export interface RowWindow {
  /** First row to render (inclusive) and the end (exclusive), overscan included. */
  first: number;
  end: number;
  /** Rows actually on screen (no overscan). */
  visibleFirst: number;
  visibleEnd: number;
}

export function rowWindow(top: number, g: Geometry, overscan = 2): RowWindow {
  if (g.rows <= 0 || g.rowHeight <= 0) return { first: 0, end: 0, visibleFirst: 0, visibleEnd: 0 };
  const visibleFirst = Math.min(g.rows - 1, Math.max(0, Math.floor(top / g.rowHeight)));
  const visibleEnd = Math.min(g.rows, Math.max(visibleFirst + 1, Math.ceil((top + g.viewport) / g.rowHeight)));
  return { first: Math.max(0, visibleFirst - overscan), end: Math.min(g.rows, visibleEnd + overscan), visibleFirst, visibleEnd };
}

/**
 * Where row `row` is drawn, relative to the spacer's top: the spacer scrolls natively, so a row sits
 * at its virtual offset shifted by what scaling has added (0 when unscaled: no work on scroll).
 */
export function rowOffset(row: number, top: number, scrollTop: number, g: Geometry): number {
  return scrollTop + row * g.rowHeight - top;
}

/** The virtual top that shows `row`: at the top, or (`nearest`) only as far as needed to bring it on screen. */
export function topForRow(row: number, g: Geometry, align: 'start' | 'nearest', currentTop = 0): number {
  const y = Math.max(0, row) * g.rowHeight;
  if (align === 'start') return clampVirtualTop(y, g);
  if (y < currentTop) return clampVirtualTop(y, g);
  if (y + g.rowHeight > currentTop + g.viewport) return clampVirtualTop(y + g.rowHeight - g.viewport, g);
  return clampVirtualTop(currentTop, g);
}

/** A wheel event's delta in pixels (deltaMode 0 = px, 1 = lines, 2 = pages). */
export function wheelPixels(delta: number, mode: number, viewport: number): number {
  return mode === 1 ? delta * 16 : mode === 2 ? delta * viewport : delta;
}
