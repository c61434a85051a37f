import type { VscodeCollapsible } from '@vscode-elements/elements/dist/vscode-collapsible/vscode-collapsible.js';
import type { PickTarget, TrainDraft, TrainEnvironment, TrainInit } from '../../src/protocol/train';
import { h } from '../common/dom';
import { button, fieldRow, type FormFields } from './fields';
import type { ModelPicker } from './modelPicker';

export const METHOD_LABEL: Record<string, string> = { lora: 'LoRA (bf16 base)', qlora: 'QLoRA (4-bit NF4 base)', projector: 'Projector only' };
const FORMAT_LABEL: Record<string, string> = { auto: 'Detect from the file', 'llava-json': 'LLaVA JSON', 'llava-jsonl': 'LLaVA JSONL', 'messages-json': 'Messages JSON', 'messages-jsonl': 'Messages JSONL', 'hf-parquet': 'Parquet (Hub layout)', 'hf-arrow': 'Arrow (save_to_disk)' };
const METHOD_HELP: Record<string, string> = {
  lora: 'LoRA adapters on a bf16 base; AdamW, gradient clipping 1.0.',
  qlora: 'LoRA on a 4-bit NF4 base (double quantization, bf16 compute); paged AdamW, clipping 0.3. Needs bitsandbytes and a CUDA GPU.',
  projector: 'Only the multimodal projector trains, in full (LLaVA stage 1).',
};
const PROJECTOR_DEFAULT: Record<string, string> = { lora: '2e-5', qlora: '2e-5', projector: '1e-3' };

export interface FormActions {
  pick(target: PickTarget): void;
  browseModels(): void;
  sectionToggled(id: string, open: boolean): void;
}

export interface FormView {
  el: HTMLElement;
  /** Shows and hides what depends on other fields (epochs vs max steps, the evaluation inputs…). */
  refresh(draft: TrainDraft, env: TrainEnvironment): void;
}

const small = (label: string, target: PickTarget, actions: FormActions, title: string): HTMLElement =>
  button(label, () => actions.pick(target), { secondary: true, title });

/** The config form: one collapsible section per concern, every input bound to its draft field. */
export function buildForm(f: FormFields, init: TrainInit, picker: ModelPicker, actions: FormActions, closed: string[]): FormView {
  const section = (id: string, heading: string, description: string, ...children: HTMLElement[]): VscodeCollapsible => {
    const el = h('vscode-collapsible', { heading, description, open: !closed.includes(id), 'data-section': id }, h('div', { class: 'section-body' }, ...children)) as VscodeCollapsible;
    el.addEventListener('vsc-collapsible-toggle', () => actions.sectionToggled(id, el.open));
    return el;
  };
  const opts = (values: string[], labels: Record<string, string> = {}): { value: string; label: string }[] => values.map((v) => ({ value: v, label: labels[v] ?? v }));

  const model = section('model', 'Model', 'Hub id or local folder',
    f.text('model', {
      wide: true, placeholder: 'llava-hf/llava-1.5-7b-hf, or a folder with config.json', help: true,
      after: [button('Browse', () => actions.browseModels(), { secondary: true, icon: 'search', title: 'Search the Hub (or the offline shortlist)' }), small('Folder…', 'modelFolder', actions, 'A local model folder')],
    }),
    picker.el,
  );
  const data = section('data', 'Data', 'training and evaluation rows',
    f.text('datasetPath', { wide: true, placeholder: 'train.json, train.jsonl, a parquet file or folder, a save_to_disk folder', help: true, after: [small('File…', 'datasetFile', actions, 'A dataset file'), small('Folder…', 'datasetFolder', actions, 'A parquet or save_to_disk folder')] }),
    fieldRow(
      f.select('datasetFormat', opts(init.options.formats, FORMAT_LABEL)),
      f.text('imagesDir', { placeholder: 'beside the dataset', after: [small('Folder…', 'imagesDir', actions, 'Images folder')] }),
    ),
    fieldRow(
      f.select('evalMode', [{ value: 'none', label: 'No evaluation' }, { value: 'ratio', label: 'Hold out a share of the rows' }, { value: 'file', label: 'A separate evaluation file' }], { label: 'Evaluation' }),
      f.text('evalRatio', { placeholder: '0.05' }),
      f.text('evalPath', { placeholder: 'eval.jsonl', after: [small('File…', 'evalFile', actions, 'Evaluation file')] }),
    ),
    f.text('outputDir', { wide: true, help: true, after: [small('Folder…', 'outputDir', actions, 'Run folder')] }),
  );
  const method = section('method', 'Method', 'LoRA, QLoRA or projector-only',
    fieldRow(f.select('method', opts(init.options.methods, METHOD_LABEL), { help: ' ' })),
    h('div', { class: 'lora-fields' },
      fieldRow(f.text('loraR'), f.text('loraAlpha'), f.text('loraDropout')),
      f.text('loraTargets', { wide: true, help: 'Full match on module names, as PEFT does. The default adapts the language model only.' }),
    ),
    h('div', { class: 'projector-note muted', hidden: true }, 'Projector-only training has no LoRA adapters, so the LoRA settings do not apply.'),
  );
  const training = section('training', 'Training', 'learning rate, length, batch',
    fieldRow(f.text('lr'), f.text('projectorLr'), f.select('scheduler', opts(init.options.schedulers))),
    fieldRow(
      f.select('stepsMode', [{ value: 'epochs', label: 'Train for epochs' }, { value: 'max_steps', label: 'Train for a number of steps' }], { label: 'Length' }),
      f.text('epochs'), f.text('maxSteps', { placeholder: 'e.g. 1000' }),
    ),
    fieldRow(f.text('perDeviceBatch'), f.text('gradAccum'), f.text('warmupRatio')),
    fieldRow(f.text('maxLength', { help: 'Image tokens included; longer rows are dropped and counted, never cut.' })),
    fieldRow(f.check('gradientCheckpointing', 'Gradient checkpointing', 'Much less memory, about 30% slower.'), f.check('bf16', 'bf16', 'bf16 weights and compute (Ampere or newer); off = fp16 mixed precision.')),
  );
  const saving = section('saving', 'Checkpoints and logging', 'how often to save, evaluate and log',
    fieldRow(f.text('saveSteps'), f.text('saveTotalLimit', { placeholder: 'keep all' }), f.text('evalSteps', { placeholder: 'at each save' })),
    fieldRow(f.text('loggingSteps'), f.text('seed')),
  );
  const push = section('push', 'Push to Hub', 'upload the adapter when training completes',
    f.check('pushEnabled', 'Push final/ to the Hugging Face Hub when training completes', 'Needs a token with write access: LLaVA Studio: Set Hugging Face Token (kept in secret storage, never in files or logs).'),
    fieldRow(f.text('pushRepoId', { placeholder: 'your-name/llava-lora' }), f.check('pushPrivate', 'Private repository')),
  );
  const slurm = section('slurm', 'Cluster (SLURM)', 'sbatch was found on PATH',
    fieldRow(f.text('slurmNodes', { label: 'Nodes' }), f.text('slurmGpusPerNode', { label: 'GPUs per node' }), f.text('slurmPartition', { label: 'Partition', placeholder: 'default' }), f.text('slurmTime', { label: 'Time limit', placeholder: 'HH:MM:SS' })),
    h('div', { class: 'muted small' }, 'One srun task per node starts accelerate; the run folder must be on a file system the nodes share. The script is shown for review before it is submitted.'),
  );
  const el = h('div', { class: 'form' }, model, data, method, training, saving, push, slurm);

  return {
    el,
    refresh(draft, env) {
      f.show('evalRatio', draft.evalMode === 'ratio');
      f.show('evalPath', draft.evalMode === 'file');
      f.show('epochs', draft.stepsMode === 'epochs');
      f.show('maxSteps', draft.stepsMode === 'max_steps');
      f.show('pushRepoId', draft.pushEnabled);
      f.show('pushPrivate', draft.pushEnabled);
      const projector = draft.method === 'projector';
      (method.querySelector('.lora-fields') as HTMLElement).hidden = projector;
      (method.querySelector('.projector-note') as HTMLElement).hidden = !projector;
      f.setHelp('method', METHOD_HELP[draft.method] ?? '');
      f.setPlaceholder('projectorLr', `${PROJECTOR_DEFAULT[draft.method] ?? '2e-5'} (method default)`);
      slurm.hidden = !env.sbatch;
    },
  };
}
