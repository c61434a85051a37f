/**
 * Filters over the list: only rows with problems, one issue type, full-text search (run by the host
 * over every row, results streaming in), and "go to row N".
 */
import { ISSUE_CODES, type IssueCode, type ValidationState, type ViewFilter, type ViewInfo } from '../../src/protocol/dataset';
import { h } from '../common/dom';
import { ISSUE_LABELS, n, percent } from './format';

export interface ToolbarActions {
  setFilter(filter: ViewFilter): void;
  goToRow(row: number): void;
}

export class Toolbar {
  readonly el: HTMLElement;
  private readonly problemsOnly = h('input', { type: 'checkbox', class: 'problems-only' });
  private readonly code = h('select', { class: 'issue-select', 'aria-label': 'Issue type' });
  private readonly search = h('input', { type: 'search', class: 'search', placeholder: 'Search text, ids, image paths', 'aria-label': 'Search rows', spellcheck: 'false' });
  private readonly status = h('span', { class: 'match-status', role: 'status', 'aria-live': 'polite' });
  private readonly goTo = h('input', { type: 'number', class: 'go-to', min: '0', step: '1', placeholder: 'row', 'aria-label': 'Go to row' });
  private filter: ViewFilter = { problemsOnly: false, codes: [], query: '' };
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly message = h('span', { class: 'flash', hidden: true });
  private flashTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly actions: ToolbarActions) {
    this.problemsOnly.addEventListener('change', () => this.emit({ ...this.filter, problemsOnly: this.problemsOnly.checked, codes: this.problemsOnly.checked ? this.filter.codes : [] }));
    this.code.addEventListener('change', () => {
      const code = this.code.value as IssueCode | '';
      this.emit({ ...this.filter, problemsOnly: code !== '' || this.problemsOnly.checked, codes: code ? [code] : [] });
    });
    this.search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.emit({ ...this.filter, query: this.search.value }), 300);
    });
    this.search.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      clearTimeout(this.searchTimer);
      this.emit({ ...this.filter, query: this.search.value });
    });
    this.goTo.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      const row = Number(this.goTo.value);
      if (Number.isInteger(row) && row >= 0) actions.goToRow(row);
    });
    this.el = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Filter rows' },
      h('label', { class: 'field check' }, this.problemsOnly, h('span', {}, 'Only rows with problems')),
      h('label', { class: 'field' }, h('span', { class: 'label' }, 'Issue'), this.code),
      h('span', { class: 'field search-field' }, h('span', { class: 'codicon codicon-search', 'aria-hidden': 'true' }), this.search),
      this.status,
      this.message,
      h('span', { class: 'spacer-flex' }),
      h('label', { class: 'field' }, h('span', { class: 'label' }, 'Go to row'), this.goTo),
    );
    this.showCounts(null);
  }

  /** Shows a filter chosen elsewhere (an issue chip, a restored state). */
  show(filter: ViewFilter): void {
    this.filter = filter;
    this.problemsOnly.checked = filter.problemsOnly || filter.codes.length > 0;
    this.code.value = filter.codes.length === 1 ? filter.codes[0]! : '';
    if (document.activeElement !== this.search) this.search.value = filter.query;
  }

  showCounts(v: ValidationState | null): void {
    const selected = this.code.value;
    this.code.replaceChildren(
      h('option', { value: '' }, 'All issues'),
      ...ISSUE_CODES.map((code) => h('option', { value: code, selected: code === selected }, `${ISSUE_LABELS[code]}${v ? ` (${n(v.counts[code])})` : ''}`)),
    );
    this.code.value = selected;
  }

  showView(view: ViewInfo, v: ValidationState | null): void {
    const f = view.filter;
    const filtered = f.problemsOnly || f.codes.length > 0 || f.query.trim() !== '';
    if (!filtered) {
      this.status.textContent = '';
      return;
    }
    const what = f.query.trim() ? (f.problemsOnly || f.codes.length ? 'matching rows with problems' : 'matching rows') : 'rows with problems';
    let progress = '';
    if (!view.done) {
      const waitingForValidation = (f.problemsOnly || f.codes.length > 0) && v && !v.done && view.scanned >= v.rowsChecked;
      progress = waitingForValidation ? ` (validating ${percent(v.rowsChecked, v.totalRows)})` : ` (searched ${percent(view.scanned, view.total)})`;
    }
    this.status.textContent = `${n(view.count)} ${what}${progress}`;
  }

  focusSearch(): void {
    this.search.focus();
    this.search.select();
  }

  /** A short message (an error from the host, "row N is not in this view") for a few seconds. */
  flash(text: string): void {
    this.message.textContent = text;
    this.message.hidden = false;
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => { this.message.hidden = true; }, 8000);
  }

  private emit(filter: ViewFilter): void {
    this.filter = filter;
    this.actions.setFilter(filter);
  }
}
