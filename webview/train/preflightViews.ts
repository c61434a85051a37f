import { VRAM_PARTS, type DatasetView, type EstimateView, type ProbeView, type VramPart } from '../../src/protocol/train';
import { h } from '../common/dom';

const n = (value: number): string => value.toLocaleString('en-US');
const gb = (value: number): string => `${value.toFixed(value >= 100 ? 0 : 1)} GB`;
const ring = (): HTMLElement => h('vscode-progress-ring', { class: 'inline-ring' });

const SOURCE: Record<string, string> = { 'python-extension': 'the Python extension\'s active environment', setting: 'setting llavaStudio.python', default: 'python3 on PATH (set llavaStudio.python to choose)' };

/** The environment probe: interpreter, versions, CUDA and GPUs, and the exact fix-its. */
export function renderProbe(view: ProbeView | null, onRecheck: () => void): HTMLElement[] {
  const recheck = h('button', { class: 'link', type: 'button' }, 'Check again');
  recheck.addEventListener('click', onRecheck);
  const head = h('h3', {}, 'Environment', h('span', { class: 'spacer' }), recheck);
  if (!view) return [head, h('div', { class: 'muted' }, ring(), ' Looking for the Python interpreter…')];
  const version = view.state === 'done' && view.ok ? `${view.version ?? '?'}${view.cuda ? ` · ${view.cuda}` : ''} · ` : '';
  const python = h('div', { class: 'kv' }, h('span', { class: 'k' }, 'Python'), h('span', {}, version, h('code', { class: 'path' }, view.python.path), h('span', { class: 'muted small' }, ` from ${SOURCE[view.python.source]}`)));
  if (view.state === 'running') return [head, python, h('div', { class: 'muted' }, ring(), ' Asking it about torch, CUDA and the GPUs…')];
  const out: (HTMLElement | null)[] = [head, python];
  if (view.ok) {
    out.push(h('div', { class: 'kv' }, h('span', { class: 'k' }, 'GPUs'), view.gpus.length === 0 ? h('span', { class: 'muted' }, 'none visible')
      : h('span', {}, view.gpus.map((g) => `${g.name}: ${gb(g.freeGb)} free of ${gb(g.totalGb)}`).join('; '))));
    out.push(h('div', { class: 'packages', 'aria-label': 'Python packages' }, ...view.packages.map(([name, version]) =>
      h('span', { class: `pkg ${version ? 'ok' : 'missing'}`, title: version ? `${name} ${version}` : `${name} is not installed` },
        h('span', { class: `codicon codicon-${version ? 'check' : 'close'}`, 'aria-hidden': 'true' }), ` ${name}`, version ? h('span', { class: 'muted' }, ` ${version}`) : null))));
  }
  if (view.workerMessage) {
    out.push(h('div', { class: 'callout error', role: 'alert' },
      h('strong', {}, 'Training would stop at once. The worker says:'), h('code', { class: 'block' }, view.workerMessage)));
  }
  const others = view.hints.filter((hint) => hint !== view.workerMessage);
  if (others.length > 0) {
    out.push(h('ul', { class: 'hints' }, ...others.map((hint) => h('li', { class: view.blockers.includes(hint) ? 'blocker' : 'hint' },
      h('span', { class: `codicon codicon-${view.blockers.includes(hint) ? 'error' : 'warning'}`, 'aria-hidden': 'true' }), ' ', hint))));
  }
  if (view.ok && view.blockers.length === 0) out.push(h('div', { class: 'good' }, h('span', { class: 'codicon codicon-pass', 'aria-hidden': 'true' }), ' Ready to train with this interpreter.'));
  return out.filter((e): e is HTMLElement => e !== null);
}

/** The dataset check: what was read, what is wrong and how often, and the "drop bad rows" choice. */
export function renderDataset(view: DatasetView, dropBadRows: HTMLElement): HTMLElement[] {
  const head = h('h3', {}, 'Dataset check');
  if (view.state === 'idle') return [head, h('div', { class: 'muted' }, view.message)];
  if (view.state === 'running') return [head, h('div', { class: 'muted' }, ring(), ` Checking ${view.path}: ${n(view.rowsChecked)} rows so far…`)];
  if (view.state === 'error') return [head, h('div', { class: 'callout error', role: 'alert' }, h('strong', {}, 'Cannot read the dataset: '), view.message)];
  const summary = h('div', {}, h('strong', {}, view.format), ` · ${n(view.rows)} rows · ${n(view.images)} image references`,
    view.evalRows !== null ? ` · ${n(view.evalRows)} rows for evaluation` : '');
  const out: HTMLElement[] = [head, summary, h('div', { class: 'muted small' }, `tokens: ${view.tokenBasis}; max length ${n(view.maxLength)}`)];
  if (view.rowsWithProblems === 0) {
    out.push(h('div', { class: 'good' }, h('span', { class: 'codicon codicon-pass', 'aria-hidden': 'true' }), ` All ${n(view.rows)} rows are usable.`));
    return out;
  }
  out.push(h('div', { class: `callout ${view.rowsOk === 0 ? 'error' : 'warn'}` },
    h('strong', {}, `${n(view.rowsWithProblems)} of ${n(view.rows)} rows have problems`),
    h('ul', { class: 'counts' }, ...view.counts.map(([code, count]) => h('li', {}, h('code', {}, code), ` ${n(count)}`))),
    h('ul', { class: 'problems' }, ...view.problems.map((p) => h('li', {}, `row ${p.row}${p.line !== null ? ` (line ${p.line})` : ''}: `, h('code', {}, p.code), ` ${p.message}`)))));
  out.push(dropBadRows);
  return out;
}

const PART_LABEL: Record<VramPart, string> = { weights: 'Weights', lora: 'LoRA + projector', optimizer: 'Optimizer', gradients: 'Gradients', activations: 'Activations', overhead: 'Overhead' };

/** The VRAM estimate as a stacked bar of its parts against the free memory, with fixes to click. */
export function renderEstimate(view: EstimateView, applySuggestion: (index: number) => void, budget: HTMLElement): HTMLElement[] {
  const head = h('h3', {}, 'GPU memory');
  if (view.state === 'idle' || view.state === 'running') return [head, h('div', { class: 'muted' }, view.state === 'running' ? ring() : null, ` ${view.message}`)];
  if (view.state === 'error') return [head, h('div', { class: 'muted' }, view.message), budget];
  const scale = Math.max(view.totalGb, view.budgetGb) || 1;
  const bar = h('div', { class: 'vram-bar', role: 'img', 'aria-label': `estimate ${gb(view.totalGb)}: ${VRAM_PARTS.map((p) => `${PART_LABEL[p]} ${gb(view.parts[p])}`).join(', ')}; ${gb(view.budgetGb)} free` });
  for (const part of VRAM_PARTS) {
    const seg = h('div', { class: `seg ${part}`, title: `${PART_LABEL[part]}: ${gb(view.parts[part])}` });
    seg.style.width = `${(100 * view.parts[part]) / scale}%`; // CSSOM, not a style attribute: the CSP allows no inline styles
    bar.append(seg);
  }
  const mark = h('div', { class: 'budget-mark', title: `${gb(view.budgetGb)} free` });
  mark.style.left = `${(100 * view.budgetGb) / scale}%`;
  bar.append(mark);
  const legend = h('ul', { class: 'legend' }, ...VRAM_PARTS.map((part) => h('li', {}, h('span', { class: `swatch ${part}`, 'aria-hidden': 'true' }), `${PART_LABEL[part]} ${gb(view.parts[part])}`)));
  const against = view.budgetSource === 'gpu' ? `${gb(view.budgetGb)} free on ${view.gpuName ?? 'the GPU'}` : `${gb(view.budgetGb)} (entered: no GPU visible here)`;
  const verdict = h('div', { class: view.fits ? 'good' : 'bad' },
    h('span', { class: `codicon codicon-${view.fits ? 'pass' : 'error'}`, 'aria-hidden': 'true' }),
    ` ≈ ${gb(view.totalGb)} per GPU against ${against}: ${view.fits ? 'fits' : 'does not fit'}`);
  const params = h('div', { class: 'muted small' }, `${(view.params.total / 1e9).toFixed(2)} B parameters, ${(view.params.trainable / 1e6).toFixed(1)} M trainable`);
  const out: HTMLElement[] = [head, verdict, bar, legend, params];
  if (view.budgetSource === 'entered') out.push(budget);
  if (!view.fits && view.suggestions.length > 0) {
    out.push(h('div', { class: 'suggest-head' }, 'Settings that would fit:'));
    view.suggestions.forEach((s, i) => {
      const b = h('button', { class: 'suggestion', type: 'button', title: 'Apply these settings to the form' },
        h('span', { class: 'codicon codicon-wand', 'aria-hidden': 'true' }), ` ${s.description.join('; ')} → ≈ ${gb(s.totalGb)}`);
      b.addEventListener('click', () => applySuggestion(i));
      out.push(b);
    });
  } else if (!view.fits) {
    out.push(h('div', { class: 'muted' }, 'No setting tried fits: a smaller model, a bigger GPU, or several GPUs (SLURM) would.'));
  }
  if (view.notes.length > 0) out.push(h('ul', { class: 'notes muted small' }, ...view.notes.map((note) => h('li', {}, note))));
  return out;
}
