import type { Theme } from '../common/theme';

/**
 * The chart as a PNG data URL: the uPlot canvas (plot + axes) on the theme's background, with the
 * tag as a title and a legend of run colours below, so the image stands on its own.
 */
export function pngOfChart(canvas: HTMLCanvasElement, tag: string, lines: readonly { name: string; color: string }[], theme: Theme): string {
  const ratio = canvas.width / Math.max(1, canvas.clientWidth || canvas.width);
  const pad = Math.round(12 * ratio);
  const titleSize = Math.round((theme.fontSize + 1) * ratio);
  const legendSize = Math.round((theme.fontSize - 1) * ratio);
  const lineHeight = Math.round(legendSize * 1.6);
  const out = document.createElement('canvas');
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('no 2d canvas context');
  // Legend rows: wrap run names to the image width.
  ctx.font = `${legendSize}px ${theme.fontFamily}`;
  const rows: { name: string; color: string; x: number; row: number }[] = [];
  let x = pad;
  let row = 0;
  const width = canvas.width + 2 * pad;
  for (const line of lines) {
    const w = legendSize * 1.6 + ctx.measureText(line.name).width + pad;
    if (x + w > width - pad && x > pad) { x = pad; row++; }
    rows.push({ ...line, x, row });
    x += w;
  }
  const legendHeight = lines.length ? (row + 1) * lineHeight + pad : 0;
  out.width = width;
  out.height = pad + titleSize * 1.5 + canvas.height + legendHeight + pad;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = theme.foreground;
  ctx.textBaseline = 'top';
  ctx.font = `600 ${titleSize}px ${theme.fontFamily}`;
  ctx.fillText(tag, pad, pad);
  const top = pad + titleSize * 1.5;
  ctx.drawImage(canvas, pad, top);
  ctx.font = `${legendSize}px ${theme.fontFamily}`;
  ctx.textBaseline = 'middle';
  for (const r of rows) {
    const y = top + canvas.height + pad / 2 + r.row * lineHeight + lineHeight / 2;
    ctx.fillStyle = r.color;
    ctx.fillRect(r.x, y - legendSize * 0.15, legendSize, Math.max(2, legendSize * 0.3));
    ctx.fillStyle = theme.foreground;
    ctx.fillText(r.name, r.x + legendSize * 1.6, y);
  }
  return out.toDataURL('image/png');
}
