import type { AddToDatasetResult, AnswerView } from '../../src/protocol/chat';
import { h } from '../common/dom';
import { textButton } from './answerCard';
import type { ChatContext } from './context';

/**
 * "Add to dataset": the prompt and answer, editable, then a file to append to. The host writes the
 * line (never rewriting the file) and copies the image beside it when needed.
 */
export class DatasetForm {
  readonly el: HTMLDialogElement;
  private readonly prompt = h('textarea', { class: 'dataset-prompt', rows: 3, 'aria-label': 'Prompt for the training sample' });
  private readonly answer = h('textarea', { class: 'dataset-answer', rows: 8, 'aria-label': 'Answer for the training sample' });
  private readonly note = h('p', { class: 'muted small' });
  private target: { turnId: string; slot: 0 | 1 } | null = null;

  constructor(private readonly ctx: ChatContext) {
    const append = textButton('database', 'Append to JSONL…', () => void this.submit(), 'primary');
    const cancel = textButton('close', 'Cancel', () => this.el.close());
    this.el = h('dialog', { class: 'dataset-dialog', 'aria-label': 'Add to dataset' },
      h('h2', {}, 'Add this turn to a training dataset'),
      h('label', { class: 'stack' }, h('span', {}, 'User prompt'), this.prompt),
      h('label', { class: 'stack' }, h('span', {}, 'Assistant answer (edit it into the answer you want the model to learn)'), this.answer),
      this.note,
      h('div', { class: 'dialog-actions' }, cancel, append));
  }

  open(turnId: string, prompt: string, answer: AnswerView): void {
    this.target = { turnId, slot: answer.slot };
    this.prompt.value = prompt;
    this.answer.value = answer.text.trim();
    this.note.textContent = 'Appended as one line of {"messages": […], "images": […]}; an image from outside the dataset folder is copied into its images/ folder.';
    this.el.showModal();
    this.answer.focus();
  }

  private async submit(): Promise<void> {
    if (!this.target) return;
    const prompt = this.prompt.value.trim();
    const answer = this.answer.value.trim();
    if (!prompt || !answer) {
      this.note.textContent = 'The prompt and the answer must not be empty.';
      return;
    }
    try {
      const result: AddToDatasetResult = await this.ctx.client.request('addToDataset', { ...this.target, prompt, answer }, 10 * 60_000);
      if ('cancelled' in result) return;
      this.el.close();
      const copied = result.copiedImages.length ? `; copied ${result.copiedImages.length} image(s) next to it` : '';
      this.ctx.notice(`Added to ${result.path}${result.line ? ` (line ${result.line})` : ''}${copied}.`);
    } catch (error) {
      this.note.textContent = (error as Error).message;
    }
  }
}
