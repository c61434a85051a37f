import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { DraftField, FieldInfo, FieldIssue, TrainDraft } from '../../src/protocol/train';
import { h } from '../common/dom';

type Control =
  | { kind: 'text'; el: VscodeTextfield }
  | { kind: 'select'; el: VscodeSingleSelect }
  | { kind: 'check'; el: VscodeCheckbox };

interface Bound {
  control: Control;
  wrap: HTMLElement;
  error: HTMLElement;
}

export interface TextOptions {
  placeholder?: string;
  /** Help under the field (the schema description's first sentence); always in the label's tooltip. */
  help?: boolean | string;
  wide?: boolean;
  /** Extra elements after the input (Browse… buttons). */
  after?: HTMLElement[];
  /** For fields the schema does not describe (SLURM, the memory budget). */
  label?: string;
}

let nextId = 0;
const firstSentence = (text: string): string => /^(.*?[.!?])(\s|$)/.exec(text)?.[1] ?? text;

/**
 * The form's inputs, one per draft field: built once, filled from the draft, each reporting its own
 * edits, each with a slot for its schema error right under it.
 */
export class FormFields {
  private readonly bound = new Map<DraftField, Bound>();
  info: Partial<Record<DraftField, FieldInfo>> = {};

  constructor(private readonly onEdit: (field: DraftField, value: string | boolean) => void) {}

  text(field: DraftField, options: TextOptions = {}): HTMLElement {
    const id = `f${nextId++}`;
    const el = h('vscode-textfield', { id, placeholder: options.placeholder, 'data-field': field }) as VscodeTextfield;
    el.addEventListener('input', () => this.onEdit(field, el.value));
    return this.wrap(field, { kind: 'text', el }, id, options);
  }

  select(field: DraftField, choices: { value: string; label: string }[], options: TextOptions = {}): HTMLElement {
    const id = `f${nextId++}`;
    const el = h('vscode-single-select', { id, 'data-field': field }) as VscodeSingleSelect;
    for (const c of choices) el.append(h('vscode-option', { value: c.value }, c.label));
    el.addEventListener('change', () => this.onEdit(field, el.value));
    return this.wrap(field, { kind: 'select', el }, id, options);
  }

  check(field: DraftField, label: string, help?: string): HTMLElement {
    const el = h('vscode-checkbox', { label, 'data-field': field, title: help ?? this.info[field]?.help }) as VscodeCheckbox;
    el.addEventListener('change', () => this.onEdit(field, el.checked));
    const error = h('div', { class: 'field-error', role: 'alert' });
    const wrap = h('div', { class: 'field check' }, el, help ? h('div', { class: 'help' }, help) : null, error);
    this.bound.set(field, { control: { kind: 'check', el }, wrap, error });
    return wrap;
  }

  /** Shows `draft` in every input (host-made changes; typing never comes back here). */
  setDraft(draft: TrainDraft): void {
    for (const [field, { control }] of this.bound) {
      const value = draft[field];
      if (control.kind === 'check') control.el.checked = value === true;
      else if (control.el.value !== String(value)) control.el.value = String(value);
    }
  }

  /** Marks the fields with problems; returns the issues no field owns. */
  setIssues(issues: FieldIssue[]): FieldIssue[] {
    const byField = new Map<DraftField, string[]>();
    const general: FieldIssue[] = [];
    for (const issue of issues) {
      if (issue.field && this.bound.has(issue.field)) byField.set(issue.field, [...(byField.get(issue.field) ?? []), issue.message]);
      else general.push(issue);
    }
    for (const [field, { control, error }] of this.bound) {
      const messages = byField.get(field) ?? [];
      error.textContent = messages.join('; ');
      if (control.kind !== 'select') control.el.invalid = messages.length > 0;
      control.el.toggleAttribute('aria-invalid', messages.length > 0);
    }
    return general;
  }

  /** Shows or hides a field (e.g. max steps vs epochs). */
  show(field: DraftField, visible: boolean): void {
    const bound = this.bound.get(field);
    if (bound) bound.wrap.hidden = !visible;
  }

  setHelp(field: DraftField, text: string): void {
    const help = this.bound.get(field)?.wrap.querySelector('.help');
    if (help) help.textContent = text;
  }

  setPlaceholder(field: DraftField, text: string): void {
    const bound = this.bound.get(field);
    if (bound?.control.kind === 'text') bound.control.el.placeholder = text;
  }

  focus(field: DraftField): void {
    this.bound.get(field)?.control.el.focus();
  }

  private wrap(field: DraftField, control: Control, id: string, options: TextOptions): HTMLElement {
    const info = this.info[field];
    const label = h('vscode-label', { for: id, title: info?.help }, options.label ?? info?.label ?? field);
    const help = typeof options.help === 'string' ? options.help : options.help && info ? firstSentence(info.help) : null;
    const error = h('div', { class: 'field-error', role: 'alert', id: `${id}-error` });
    control.el.setAttribute('aria-describedby', `${id}-error`);
    const row = options.after?.length ? h('div', { class: 'input-row' }, control.el, ...options.after) : control.el;
    const wrap = h('div', { class: `field${options.wide ? ' wide' : ''}` }, label, row, help ? h('div', { class: 'help' }, help) : null, error);
    this.bound.set(field, { control, wrap, error });
    return wrap;
  }
}

/** A row of fields that wraps on narrow panels. */
export function fieldRow(...fields: HTMLElement[]): HTMLElement {
  return h('div', { class: 'field-row' }, ...fields);
}

export function button(label: string, onClick: () => void, options: { secondary?: boolean; icon?: string; title?: string } = {}): HTMLElement {
  const el = h('vscode-button', { secondary: options.secondary, icon: options.icon, title: options.title }, label);
  el.addEventListener('click', onClick);
  return el;
}
