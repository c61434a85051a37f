import type { FieldIssue, LaunchView, RunAction, TrainEnvironment } from '../../src/protocol/train';
import { h } from '../common/dom';
import { button } from './fields';

export interface LaunchParts {
  view: LaunchView;
  env: TrainEnvironment;
  issues: FieldIssue[];
  /** Issues no form field owns. */
  general: FieldIssue[];
  launch(target: 'local' | 'slurm'): void;
  runAction(action: RunAction): void;
}

/** Start (and Launch on SLURM), what stands in the way, and the run once it is launched. */
export function renderLaunch(p: LaunchParts): HTMLElement[] {
  const out: HTMLElement[] = [h('h3', {}, 'Launch')];
  if (!p.env.trusted) {
    out.push(h('div', { class: 'callout warn', role: 'alert' }, h('strong', {}, 'Restricted mode. '),
      'This workspace is not trusted, so LLaVA Studio starts no Python and no training here. Trust the workspace to launch.'));
  }
  const fieldCount = p.issues.filter((i) => i.field).length;
  if (fieldCount > 0) out.push(h('div', { class: 'muted small' }, `${fieldCount} field${fieldCount === 1 ? ' needs' : 's need'} attention (marked in the form).`));
  if (p.general.length > 0) out.push(h('ul', { class: 'hints' }, ...p.general.map((i) => h('li', { class: 'blocker' }, i.message))));
  const busy = p.view.state === 'launching';
  const start = button('Start Fine-tune', () => p.launch('local'), { icon: 'play', title: 'Launch the worker on this machine; it keeps running if VS Code closes' });
  start.toggleAttribute('disabled', busy || !p.env.trusted);
  const buttons = h('div', { class: 'launch-buttons' }, start);
  if (p.env.sbatch) {
    const slurm = button('Launch on SLURM…', () => p.launch('slurm'), { secondary: true, icon: 'server-process', title: 'Write the sbatch script, show it for review, then submit it' });
    slurm.toggleAttribute('disabled', busy || !p.env.trusted);
    buttons.append(slurm);
  }
  out.push(buttons);
  if (p.view.message) {
    const cls = p.view.state === 'error' ? 'callout error' : p.view.state === 'launched' ? 'good' : 'muted';
    out.push(h('div', { class: cls, role: p.view.state === 'error' ? 'alert' : 'status' }, p.view.message));
  }
  if (p.view.state === 'launched' && p.view.runDir) {
    const link = (label: string, action: RunAction): HTMLElement => {
      const b = h('button', { class: 'link', type: 'button' }, label);
      b.addEventListener('click', () => p.runAction(action));
      return b;
    };
    out.push(h('div', { class: 'run-links' }, link('Open Scalars', 'scalars'), link('Open Log', 'log'), link('Stop Training', 'stop')));
  }
  return out;
}
