import type { WebviewApi } from './vscodeApi';

/**
 * The panel's view state through `getState/setState`, which VS Code keeps while the tab is hidden and
 * hands to the WebviewPanelSerializer after a reload. Whatever is stored is checked before use.
 */
export class StateCache<S> {
  constructor(private readonly api: WebviewApi<unknown>, private readonly isValid: (value: unknown) => value is S) {}

  get(): S | null {
    const value = this.api.getState();
    return this.isValid(value) ? value : null;
  }

  set(state: S): void {
    this.api.setState(state);
  }
}
