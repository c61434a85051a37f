import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { clampSmoothing, MAX_SMOOTHING } from '../../src/core/scalars/smoothing';
import { compileTagFilter } from '../../src/core/scalars/tags';
import type { ScalarsViewState, XAxis } from '../../src/protocol/scalars';
import { h } from '../common/dom';

type Patch = Partial<Pick<ScalarsViewState, 'smoothing' | 'xAxis' | 'tagFilter' | 'logY' | 'ignoreOutliers' | 'envelope'>>;

const X_AXES: { value: XAxis; label: string }[] = [
  { value: 'step', label: 'Step' },
  { value: 'relative', label: 'Relative' },
  { value: 'wall', label: 'Wall' },
];

/** The header: tag filter, smoothing, x-axis, log-y, ignore outliers, min/max envelope. */
export class Toolbar {
  readonly el: HTMLElement;
  private readonly filter = h('vscode-textfield', { placeholder: 'Filter tags (regex)', 'aria-label': 'Filter tags by regular expression', class: 'filter' }) as VscodeTextfield;
  private readonly filterError = h('span', { class: 'filter-error', role: 'alert', id: 'filter-error' });
  private readonly slider = h('input', { type: 'range', min: 0, max: MAX_SMOOTHING, step: 0.001, 'aria-label': 'Smoothing', class: 'slider' });
  private readonly number = h('vscode-textfield', { type: 'number', min: 0, max: MAX_SMOOTHING, step: 0.001, 'aria-label': 'Smoothing value', class: 'smoothing-value' }) as VscodeTextfield;
  private readonly xAxis = h('vscode-single-select', { 'aria-label': 'X axis', class: 'x-axis' }, ...X_AXES.map((a) => h('vscode-option', { value: a.value }, a.label))) as VscodeSingleSelect;
  private readonly logY = h('vscode-checkbox', { label: 'Log scale Y' }) as VscodeCheckbox;
  private readonly outliers = h('vscode-checkbox', { label: 'Ignore outliers' }) as VscodeCheckbox;
  private readonly envelope = h('vscode-checkbox', { label: 'Min/max envelope', title: 'Shade the raw min/max band behind smoothed or downsampled lines' }) as VscodeCheckbox;

  constructor(private readonly onChange: (patch: Patch) => void) {
    this.el = h('header', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Chart options' },
      h('div', { class: 'field filter-field' }, this.filter, this.filterError),
      h('div', { class: 'field smoothing' }, h('span', { class: 'label' }, 'Smoothing'), this.slider, this.number),
      h('div', { class: 'field' }, h('span', { class: 'label', id: 'x-axis-label' }, 'X axis'), this.xAxis),
      h('div', { class: 'field checks' }, this.logY, this.outliers, this.envelope));
    this.filter.addEventListener('input', () => this.onFilter());
    this.slider.addEventListener('input', () => this.setSmoothing(Number(this.slider.value)));
    this.number.addEventListener('change', () => this.setSmoothing(Number(this.number.value)));
    this.xAxis.addEventListener('change', () => this.onChange({ xAxis: this.xAxis.value as XAxis }));
    this.logY.addEventListener('change', () => this.onChange({ logY: this.logY.checked }));
    this.outliers.addEventListener('change', () => this.onChange({ ignoreOutliers: this.outliers.checked }));
    this.envelope.addEventListener('change', () => this.onChange({ envelope: this.envelope.checked }));
  }

  /** Shows a state (on load and restore); does not call back. */
  show(state: ScalarsViewState): void {
    this.filter.value = state.tagFilter;
    this.showFilterError(state.tagFilter);
    this.slider.value = String(state.smoothing);
    this.number.value = state.smoothing.toFixed(3);
    this.xAxis.value = state.xAxis;
    this.logY.checked = state.logY;
    this.outliers.checked = state.ignoreOutliers;
    this.envelope.checked = state.envelope;
  }

  private onFilter(): void {
    const value = this.filter.value;
    this.showFilterError(value);
    this.onChange({ tagFilter: value });
  }

  private showFilterError(pattern: string): void {
    const compiled = compileTagFilter(pattern);
    this.filter.invalid = !compiled.ok;
    this.filterError.textContent = compiled.ok ? '' : `invalid regex: ${compiled.error}`;
    if (compiled.ok) this.filter.removeAttribute('aria-describedby');
    else this.filter.setAttribute('aria-describedby', 'filter-error');
  }

  private setSmoothing(raw: number): void {
    const smoothing = clampSmoothing(raw);
    this.slider.value = String(smoothing);
    this.number.value = smoothing.toFixed(3);
    this.onChange({ smoothing });
  }
}
