import type { ExportParams, ExportResult, ScalarsSettings, ScalarsViewState } from '../../src/protocol/scalars';
import type { Theme } from '../common/theme';
import type { ScalarsStore } from './store';
import type { Tooltip } from './tooltip';

export interface VisibleRun {
  id: string;
  name: string;
  color: string;
}

/** What cards need from the panel, passed in rather than reached for. */
export interface ScalarsContext {
  store: ScalarsStore;
  tooltip: Tooltip;
  state(): ScalarsViewState;
  settings(): ScalarsSettings;
  theme(): Theme;
  /** Runs not hidden, in panel order, with their colours. */
  visibleRuns(): VisibleRun[];
  /** Asks for a draw of dirty, visible cards on the next animation frame. */
  schedule(): void;
  /** Speaks a line to screen readers (aria-live). */
  announce(text: string): void;
  exportTag(params: ExportParams): Promise<ExportResult>;
}
