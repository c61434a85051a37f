/** What the charts need from the current VS Code theme, read from its CSS variables. */
export interface Theme {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  foreground: string;
  muted: string;
  background: string;
  widgetBackground: string;
  grid: string;
  focus: string;
  /** Run colours: VS Code's six chart colours, then the same hues mixed toward the foreground. */
  palette: string[];
  fontFamily: string;
  fontSize: number;
}

const CHART_VARS = ['blue', 'orange', 'green', 'red', 'purple', 'yellow'] as const;

/** Fallbacks match VS Code's Dark Modern theme, for a variable an older VS Code does not define. */
const FALLBACK: Record<string, string> = {
  'editor-foreground': '#cccccc',
  'editor-background': '#1f1f1f',
  'editorWidget-background': '#202020',
  descriptionForeground: '#9d9d9d',
  focusBorder: '#0078d4',
  'charts-lines': 'rgba(204, 204, 204, 0.5)',
  'charts-blue': '#3794ff',
  'charts-orange': '#d18616',
  'charts-green': '#89d185',
  'charts-red': '#f14c4c',
  'charts-purple': '#b180d7',
  'charts-yellow': '#cca700',
  'font-family': 'system-ui, -apple-system, "Segoe UI", sans-serif',
  'font-size': '13px',
};

export function cssVar(name: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(`--vscode-${name}`).trim()
    || getComputedStyle(document.body).getPropertyValue(`--vscode-${name}`).trim();
  return value || FALLBACK[name] || '';
}

function themeKind(): Theme['kind'] {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  return c.contains('vscode-light') ? 'light' : 'dark';
}

export function readTheme(): Theme {
  const foreground = cssVar('editor-foreground');
  const base = CHART_VARS.map((name) => cssVar(`charts-${name}`));
  return {
    kind: themeKind(),
    foreground,
    muted: cssVar('descriptionForeground'),
    background: cssVar('editor-background'),
    widgetBackground: cssVar('editorWidget-background'),
    grid: withAlpha(cssVar('charts-lines'), 0.35),
    focus: cssVar('focusBorder'),
    palette: [...base, ...base.map((c) => mix(c, foreground, 0.45))],
    fontFamily: cssVar('font-family'),
    fontSize: Number.parseFloat(cssVar('font-size')) || 13,
  };
}

/**
 * Calls `onChange` when the theme changes: VS Code swaps the body class (vscode-light/dark/
 * high-contrast) and rewrites the variables in the html element's style.
 */
export function watchTheme(onChange: (theme: Theme) => void): () => void {
  let last = JSON.stringify(readTheme());
  const observer = new MutationObserver(() => {
    const theme = readTheme();
    const key = JSON.stringify(theme);
    if (key === last) return;
    last = key;
    onChange(theme);
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => observer.disconnect();
}

type Rgba = [number, number, number, number];

/** Parses `#rgb`, `#rrggbb`, `#rrggbbaa`, `rgb()` and `rgba()`: the spellings VS Code variables use. */
export function parseColor(color: string): Rgba | null {
  const c = color.trim();
  let m = /^#([0-9a-f]{3,8})$/i.exec(c);
  if (m) {
    let hex = m[1]!;
    if (hex.length === 3 || hex.length === 4) hex = [...hex].map((x) => x + x).join('');
    if (hex.length !== 6 && hex.length !== 8) return null;
    const n = (i: number): number => Number.parseInt(hex.slice(i, i + 2), 16);
    return [n(0), n(2), n(4), hex.length === 8 ? n(6) / 255 : 1];
  }
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/i.exec(c);
  if (m) {
    const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? Number.parseFloat(m[4]) / 100 : Number.parseFloat(m[4]);
    return [Number(m[1]), Number(m[2]), Number(m[3]), a];
  }
  return null;
}

function rgba([r, g, b, a]: Rgba): string {
  return `rgba(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)}, ${Number(a.toFixed(3))})`;
}

/** The colour with its alpha multiplied by `alpha` (canvas strokes cannot use CSS variables). */
export function withAlpha(color: string, alpha: number): string {
  const c = parseColor(color);
  return c ? rgba([c[0], c[1], c[2], c[3] * alpha]) : color;
}

/** `a` mixed toward `b` by `t` (0..1). */
export function mix(a: string, b: string, t: number): string {
  const x = parseColor(a);
  const y = parseColor(b);
  if (!x || !y) return a;
  return rgba([x[0] + (y[0] - x[0]) * t, x[1] + (y[1] - x[1]) * t, x[2] + (y[2] - x[2]) * t, x[3]]);
}
