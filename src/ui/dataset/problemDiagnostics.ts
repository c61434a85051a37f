/**
 * Validation problems as Problems-panel entries (vscode-free: the glue turns these into
 * vscode.Diagnostic). Problems that break training are errors; the rest are warnings. A dataset with
 * a million problems gets the first `cap` and one summary entry, not a frozen Problems panel.
 */
import type { Problem, ProblemCode } from '../../core/datasets/types';
import { uiWording } from './rowViews';

export const DIAGNOSTIC_CAP = 5000;

const ERRORS: ReadonlySet<ProblemCode> = new Set(['invalid_json', 'missing_field', 'image_missing', 'image_unreadable', 'image_too_large', 'image_token_mismatch']);

export interface LineDiagnostic {
  /** 0-based line. */
  line: number;
  severity: 'error' | 'warning' | 'information';
  code: ProblemCode | 'more_problems';
  message: string;
}

export function problemsToDiagnostics(problems: readonly Problem[], cap = DIAGNOSTIC_CAP): LineDiagnostic[] {
  const withLines = problems.filter((p) => p.line !== null);
  const out: LineDiagnostic[] = withLines.slice(0, cap).map((p) => ({
    line: p.line! - 1,
    severity: ERRORS.has(p.code) ? 'error' : 'warning',
    code: p.code,
    message: `row ${p.row}: ${uiWording(p.message)}`,
  }));
  if (withLines.length > cap) {
    out.push({
      line: 0, severity: 'information', code: 'more_problems',
      message: `${(withLines.length - cap).toLocaleString('en-US')} more problems not listed here (first ${cap.toLocaleString('en-US')} shown); the Dataset Preview filters them all`,
    });
  }
  return out;
}
