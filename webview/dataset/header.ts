/**
 * The panel's header: what the dataset is (format, rows, images, turns, split), indexing and
 * validation progress, the token-length histogram, problem counts per code, and the knobs that
 * change them (model folder, max length, image folder).
 */
import { ISSUE_CODES, type DatasetInfo, type IndexState, type IssueCode, type Notice, type ValidationState } from '../../src/protocol/dataset';
import { h } from '../common/dom';
import { HistogramChart } from './histogramChart';
import { formatBytes, ISSUE_LABELS, n, percent } from './format';

export interface HeaderActions {
  setSplit(split: string): void;
  cancelIndex(): void;
  chooseModel(mode: 'pick' | 'setting' | 'estimate'): void;
  setMaxLength(value: number): void;
  chooseImageRoot(): void;
  filterByCode(code: IssueCode): void;
}

/** The end of a long path (the part that tells folders apart); the whole path is in the title. */
export function shortPath(path: string, max = 44): string {
  return path.length <= max ? path : `…${path.slice(path.length - max + 1)}`;
}

const button = (label: string, title: string, onClick: () => void, cls = 'text-button'): HTMLButtonElement => {
  const b = h('button', { class: cls, type: 'button', title }, label);
  b.addEventListener('click', onClick);
  return b;
};

export class Header {
  readonly el: HTMLElement;
  private readonly name = h('h1', { class: 'name' });
  private readonly format = h('span', { class: 'badge' });
  private readonly stats = h('span', { class: 'stats' });
  private readonly split = h('select', { class: 'split-select', 'aria-label': 'Split' });
  private readonly splitField = h('label', { class: 'field split-field' }, h('span', { class: 'label' }, 'Split'), this.split);
  private readonly indexBar = h('div', { class: 'bar-fill' });
  private readonly indexText = h('span', { class: 'progress-text' });
  private readonly cancel: HTMLButtonElement;
  private readonly indexRow: HTMLElement;
  private readonly validationText = h('span', { class: 'progress-text' });
  private readonly validationBar = h('div', { class: 'bar-fill' });
  private readonly validationRow: HTMLElement;
  private readonly chart = new HistogramChart();
  private readonly chartCaption = h('div', { class: 'caption' });
  private readonly basis = h('div', { class: 'caption basis' });
  private readonly issues = h('div', { class: 'issue-list' });
  private readonly issuesCaption = h('div', { class: 'caption' });
  private readonly model = h('span', { class: 'value path' });
  private readonly maxLength = h('input', { class: 'max-length', type: 'number', min: '1', step: '1', 'aria-label': 'Max length (tokens)' });
  private readonly imageRoot = h('span', { class: 'value path' });
  private readonly notice = h('div', { class: 'notice', role: 'status', hidden: true });
  private info: DatasetInfo | null = null;
  private validation: ValidationState | null = null;
  private index: IndexState | null = null;

  constructor(private readonly actions: HeaderActions) {
    this.cancel = button('Cancel', 'Stop indexing; the rows found so far stay', () => actions.cancelIndex());
    this.indexRow = h('div', { class: 'progress-row index-progress' }, h('div', { class: 'bar' }, this.indexBar), this.indexText, this.cancel);
    this.validationRow = h('div', { class: 'progress-row validation-progress' }, h('div', { class: 'bar' }, this.validationBar), this.validationText);
    this.split.addEventListener('change', () => actions.setSplit(this.split.value));
    this.maxLength.addEventListener('change', () => {
      const value = Number(this.maxLength.value);
      if (Number.isInteger(value) && value > 0) actions.setMaxLength(value);
    });
    const settings = h('div', { class: 'settings' },
      h('div', { class: 'setting' }, h('span', { class: 'label' }, 'Tokens'), this.model,
        button('Choose…', 'Choose a model folder with tokenizer.json + tokenizer_config.json (and config.json for image tokens)', () => actions.chooseModel('pick')),
        button('Estimate', 'Count characters ÷ 3.6 + image tokens instead of tokenizing', () => actions.chooseModel('estimate'))),
      h('label', { class: 'setting' }, h('span', { class: 'label' }, 'Max length'), this.maxLength),
      h('div', { class: 'setting' }, h('span', { class: 'label' }, 'Images'), this.imageRoot,
        button('Change…', 'The folder relative image paths resolve against', () => actions.chooseImageRoot())),
    );
    this.el = h('section', { class: 'header', 'aria-label': 'Dataset summary' },
      h('div', { class: 'title-row' }, this.name, this.format, this.stats, this.splitField),
      this.indexRow, this.validationRow, this.notice,
      h('div', { class: 'insights' },
        h('div', { class: 'panel-box histogram-box' }, h('div', { class: 'box-title' }, 'Token lengths'), this.chart.el, this.chartCaption, this.basis),
        h('div', { class: 'panel-box issues-box' }, h('div', { class: 'box-title' }, 'Issues'), this.issuesCaption, this.issues),
        h('div', { class: 'panel-box settings-box' }, h('div', { class: 'box-title' }, 'Settings'), settings)),
    );
  }

  showInfo(info: DatasetInfo): void {
    this.info = info;
    this.name.textContent = info.name;
    this.name.title = info.path;
    this.format.textContent = info.format;
    this.imageRoot.textContent = shortPath(info.imageRoot);
    this.imageRoot.title = info.imageRoot;
    this.splitField.hidden = info.splits.length < 2;
    this.split.replaceChildren(...info.splits.map((s) => h('option', { value: s, selected: s === info.split }, s)));
    this.renderStats();
  }

  showIndex(index: IndexState): void {
    const busy = !index.done;
    this.indexRow.hidden = !busy && !index.cancelled && !index.error;
    this.cancel.hidden = !busy;
    this.indexBar.style.width = percent(index.bytesScanned, index.totalBytes || 1).replace(/\.\d/, '');
    this.indexRow.classList.toggle('failed', !!index.error);
    const what = `${n(index.rowsFound)} rows · ${formatBytes(index.bytesScanned)} of ${formatBytes(index.totalBytes)}`;
    this.indexText.textContent = index.error ? `Indexing stopped at byte ${n(index.bytesScanned)}: ${index.error}`
      : index.cancelled ? `Indexing cancelled: ${what} (the rest of the file is not shown)`
        : busy ? `Indexing: ${what} (${percent(index.bytesScanned, index.totalBytes)})` : '';
    this.index = index;
    this.renderStats();
  }

  showValidation(v: ValidationState): void {
    this.validation = v;
    const busy = !v.done;
    this.validationRow.hidden = !busy && !v.error;
    this.validationBar.style.width = percent(v.rowsChecked, v.totalRows || 1).replace(/\.\d/, '');
    this.validationText.textContent = v.error ? `Validation failed: ${v.error}` : `Validating: ${n(v.rowsChecked)} of ${n(v.totalRows)} rows (${percent(v.rowsChecked, v.totalRows)})`;
    const summary = `${n(v.rowsChecked)} rows; longest ${n(v.maxTokens)}, mean ${n(v.meanTokens)} tokens; ${n(v.overLimit)} over the max length ${n(v.maxLength)}`;
    this.chart.set(v.histogram, v.maxLength, `Histogram of token lengths: ${summary}`);
    if (v.rowsChecked > 0 && v.maxTokens === 0) {
      this.chartCaption.textContent = 'no rows with turns to count';
    } else {
      this.chartCaption.replaceChildren(
        h('span', { class: v.overLimit > 0 ? 'over' : '' }, `${n(v.overLimit)} over ${n(v.maxLength)}`),
        ` · longest ${n(v.maxTokens)} · mean ${n(v.meanTokens)}`,
      );
    }
    this.basis.textContent = v.tokenBasis || 'counting…';
    this.basis.title = v.tokenBasis;
    this.model.textContent = v.modelDir ? shortPath(v.modelDir) : 'estimate (no model)';
    this.model.title = v.modelDir ?? '';
    if (document.activeElement !== this.maxLength) this.maxLength.value = String(v.maxLength);
    this.renderIssues(v);
    this.renderStats();
  }

  showNotice(notice: Notice | null): void {
    this.notice.hidden = notice === null;
    this.notice.replaceChildren();
    if (!notice) return;
    this.notice.className = `notice ${notice.kind}`;
    this.notice.append(h('span', { class: `codicon codicon-${notice.kind === 'info' ? 'info' : 'warning'}`, 'aria-hidden': 'true' }), h('span', {}, notice.message));
    if (notice.kind === 'imagesUnresolved') this.notice.append(button('Choose image folder…', 'The folder relative image paths resolve against', () => this.actions.chooseImageRoot(), 'text-button primary'));
  }

  redraw(): void {
    this.chart.redraw();
  }

  private renderIssues(v: ValidationState): void {
    const present = ISSUE_CODES.filter((code) => v.counts[code] > 0);
    this.issuesCaption.textContent = v.rowsChecked === 0 ? 'checking…'
      : `${n(v.rowsWithProblems)} of ${n(v.rowsChecked)} rows have problems${v.done ? '' : ' so far'}`;
    if (present.length === 0) {
      this.issues.replaceChildren(h('div', { class: 'all-clear' }, h('span', { class: 'codicon codicon-pass', 'aria-hidden': 'true' }), v.done ? 'No problems found' : 'None yet'));
      return;
    }
    this.issues.replaceChildren(...present.map((code) => {
      const chip = h('button', { class: `issue-count code-${code}`, type: 'button', title: `Show only rows with ${code}` },
        h('span', { class: 'issue-name' }, ISSUE_LABELS[code] ?? code), h('span', { class: 'count' }, n(v.counts[code])));
      chip.addEventListener('click', () => this.actions.filterByCode(code));
      return chip;
    }));
  }

  private renderStats(): void {
    const v = this.validation;
    const parts: string[] = [];
    const rows = Math.max(v?.totalRows ?? 0, this.index?.rowsFound ?? 0);
    parts.push(`${n(rows)}${this.index && !this.index.done ? '+' : ''} rows`);
    if (v) {
      const partial = v.done ? '' : '+';
      parts.push(`${n(v.images)}${partial} images`, `${n(v.turns)}${partial} turns`);
    }
    if (this.info) parts.push(formatBytes(this.info.totalBytes));
    this.stats.textContent = parts.join(' · ');
  }
}
