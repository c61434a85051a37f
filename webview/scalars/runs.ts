import { prettyText } from '../../src/core/scalars/format';
import { damageNote, emptyReason } from '../../src/core/scalars/runNotes';
import type { ScalarsRun } from '../../src/protocol/scalars';
import { h } from '../common/dom';

export interface RunRow {
  run: ScalarsRun;
  color: string;
  hidden: boolean;
  tags: number;
  points: number;
}

const SOURCE: Record<ScalarsRun['origin'], string> = {
  events: 'from TensorBoard event files',
  trainer_state: 'from trainer_state.json log_history',
  none: '(no scalars found)',
  pending: '(loading…)',
};

/** Run toggles (colour, name, status), warnings (damage, read errors, empty runs) and run details. */
export class RunsView {
  readonly el = h('section', { class: 'runs', 'aria-label': 'Runs' });
  private readonly chips = h('div', { class: 'run-chips', role: 'group', 'aria-label': 'Show or hide runs' });
  private readonly warnings = h('ul', { class: 'warnings', 'aria-label': 'Warnings' });
  private readonly details = h('vscode-collapsible', { heading: 'Run details', class: 'details' });
  /** Details are rebuilt only when they change, so a selection in a text summary survives live updates. */
  private detailsKey = '';

  constructor(private readonly onToggle: (runId: string) => void) {
    this.el.append(this.chips, this.warnings, this.details);
  }

  render(rows: readonly RunRow[]): void {
    this.chips.replaceChildren(...rows.map((row) => this.chip(row)));
    const multi = rows.length > 1;
    const items: HTMLElement[] = [];
    for (const { run, tags } of rows) {
      const who = multi ? `${run.name}: ` : '';
      for (const d of run.damage) {
        items.push(this.warning('warning', `${who}${damageNote(d)}`, d.file));
      }
      if (run.error) items.push(this.warning('error', `${who}could not read scalars: ${run.error}`));
      const reason = emptyReason(run, tags);
      if (reason) items.push(this.warning('info', `${who}no scalars — ${reason}`));
    }
    this.warnings.replaceChildren(...items);
    this.warnings.hidden = items.length === 0;
    this.renderDetails(rows);
  }

  private chip({ run, color, hidden, tags, points }: RunRow): HTMLElement {
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.backgroundColor = hidden ? 'transparent' : color;
    swatch.style.borderColor = color;
    const status = run.origin === 'pending' ? 'loading…' : run.status;
    const button = h('button', {
      class: `run-chip${hidden ? ' hidden-run' : ''}`,
      type: 'button',
      'aria-pressed': String(!hidden),
      title: `${run.id}\n${tags} tags, ${points.toLocaleString()} points — click to ${hidden ? 'show' : 'hide'} in every chart`,
    }, swatch, h('span', { class: 'run-name' }, run.name), h('span', { class: `status status-${run.status}` }, status));
    button.addEventListener('click', () => this.onToggle(run.id));
    return button;
  }

  private warning(kind: 'warning' | 'error' | 'info', text: string, title?: string): HTMLElement {
    return h('li', { class: `notice notice-${kind}`, title }, h('vscode-icon', { name: kind, 'aria-hidden': 'true' }), h('span', {}, text));
  }

  private renderDetails(rows: readonly RunRow[]): void {
    const key = JSON.stringify(rows.map(({ run, tags }) => [run.id, run.name, run.status, run.origin, run.texts, tags]));
    if (key === this.detailsKey) return;
    this.detailsKey = key;
    const sections = rows.map(({ run, tags }) => {
      const meta = h('dl', { class: 'meta' },
        h('dt', {}, 'Folder'), h('dd', {}, run.id),
        h('dt', {}, 'Status'), h('dd', {}, run.status),
        h('dt', {}, 'Scalars'), h('dd', {}, `${tags} tag${tags === 1 ? '' : 's'} ${SOURCE[run.origin]}`));
      const texts = run.texts.map((t) => h('div', { class: 'text-summary' }, h('h5', {}, t.tag), h('pre', { tabindex: 0 }, prettyText(t.text))));
      return h('section', { class: 'run-details' }, h('h4', {}, run.name), meta, ...(texts.length ? texts : [h('p', { class: 'muted' }, 'No text summaries.')]));
    });
    this.details.replaceChildren(...sections);
  }
}
