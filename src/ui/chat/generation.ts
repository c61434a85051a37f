/**
 * Answers one turn: each target in turn (column A, then B in compare mode — two models at once would
 * fight over memory), streaming text to the page in small batches. Stop marks every open answer
 * stopped at once, keeping its text, then lets the backends wind down; their final text and
 * figures replace the partial ones when they arrive.
 */
import type { ChatBackend } from '../../core/chat/types';
import type { ChatHostMessage, GenerationSettings, Slot } from '../../protocol/chat';
import { describeError, runAnswer } from './answerRunner';
import { answerView, buildRequest, type StoredAnswer, type StoredConversation, type StoredTurn } from './conversation';
import type { ResolvedTarget } from './targets';

export interface GenerationHooks {
  backend(target: ResolvedTarget): Promise<ChatBackend>;
  post(message: ChatHostMessage): void;
  /** Saves the conversation this generation belongs to (not whichever the panel shows by then). */
  save(): Promise<void>;
  log(message: string): void;
  busyChanged(busy: boolean): void;
}

/** Tokens are batched this long before a message goes to the page (a tiny model makes ~1000/s). */
export const TOKEN_BATCH_MS = 30;
/** While text streams in, the conversation is saved at most this often, so a crash loses little. */
export const STREAM_SAVE_MS = 2000;

export class Generation {
  /** Answers still being made (false right after Stop, even while a backend winds down). */
  active = true;
  /** Resolves when every stream has ended, Stop included. */
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private readonly abort = new AbortController();
  private stopped = false;
  private readonly pending = new Map<Slot, { offset: number; text: string }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** The save Stop started (dispose waits for it). */
  private stopSaved: Promise<void> = Promise.resolve();

  constructor(
    private readonly conversation: StoredConversation,
    private readonly turn: StoredTurn,
    private readonly targets: readonly ResolvedTarget[],
    private readonly settings: GenerationSettings,
    private readonly hooks: GenerationHooks,
    private readonly streamSaveMs = STREAM_SAVE_MS,
  ) {
    this.finished = new Promise((resolve) => { this.resolveFinished = resolve; });
    turn.answers = targets.map((target, index) => ({
      slot: index as Slot, targetId: target.info.id, targetLabel: target.info.label, text: '', status: 'waiting', error: null, meta: null,
    }));
  }

  async run(after: Promise<void>): Promise<void> {
    this.hooks.busyChanged(true);
    try {
      await after;
      for (const answer of this.turn.answers) {
        if (this.stopped) break;
        await this.answer(answer, this.targets[answer.slot]!);
      }
    } finally {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      if (this.active) {
        this.active = false;
        this.hooks.busyChanged(false);
      }
      await this.hooks.save();
      this.resolveFinished();
    }
  }

  /** Resolves once the save Stop made is on disk (immediately when Stop was not used). */
  get stopSave(): Promise<void> {
    return this.stopSaved;
  }

  /** Stops now: open answers read `stopped` with their text so far. Returns how many were open. */
  stop(): number {
    if (!this.active) return 0;
    this.stopped = true;
    this.active = false;
    this.abort.abort();
    let count = 0;
    for (const answer of this.turn.answers) {
      if (answer.status !== 'waiting' && answer.status !== 'streaming') continue;
      answer.status = 'stopped';
      count++;
      this.postAnswer(answer);
    }
    this.hooks.busyChanged(false);
    this.stopSaved = this.hooks.save();
    return count;
  }

  private async answer(answer: StoredAnswer, target: ResolvedTarget): Promise<void> {
    const stage = (label: string | null) => this.postAnswer(answer, label);
    if (!target.config) {
      this.fail(answer, { message: `${target.info.label} cannot be used: ${target.info.problem ?? 'not available'}`, hint: null });
      return;
    }
    stage('Starting…');
    try {
      const backend = await this.hooks.backend(target);
      if (this.stopped) return;
      const request = buildRequest(this.conversation, this.conversation.turns.indexOf(this.turn), answer.slot);
      const result = await runAnswer(backend, request, this.settings, this.abort.signal, {
        stage: (label) => { if (!this.stopped && answer.text === '') stage(label); },
        text: (chunk) => this.append(answer, chunk),
      }, target.generate);
      answer.text = result.text;
      answer.meta = result.meta;
      answer.status = this.stopped || result.stopped ? 'stopped' : 'done';
      this.postAnswer(answer);
    } catch (error) {
      if (this.stopped) {
        answer.status = 'stopped';
        this.postAnswer(answer);
        return;
      }
      const described = describeError(error);
      this.hooks.log(`chat: ${target.info.label} failed: ${described.message}`);
      this.fail(answer, described);
    }
  }

  private fail(answer: StoredAnswer, error: { message: string; hint: string | null }): void {
    answer.status = 'error';
    answer.error = error;
    this.postAnswer(answer);
  }

  private append(answer: StoredAnswer, chunk: string): void {
    const offset = answer.text.length;
    answer.text += chunk;
    // Throttled: the first chunk arms a timer; text arriving meanwhile goes with that save.
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = undefined;
      void this.hooks.save();
    }, this.streamSaveMs);
    if (this.stopped) return; // the page shows the answer as stopped; the final text comes with `done`
    if (answer.status === 'waiting') {
      answer.status = 'streaming';
      this.postAnswer(answer);
      return;
    }
    const batch = this.pending.get(answer.slot);
    if (batch) batch.text += chunk;
    else this.pending.set(answer.slot, { offset, text: chunk });
    this.timer ??= setTimeout(() => this.flush(), TOKEN_BATCH_MS);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [slot, batch] of this.pending) {
      this.hooks.post({ kind: 'notify', type: 'token', payload: { turnId: this.turn.id, slot, offset: batch.offset, text: batch.text } });
    }
    this.pending.clear();
  }

  /** The whole answer replaces whatever the page has, so batched tokens for it are dropped. */
  private postAnswer(answer: StoredAnswer, stage: string | null = null): void {
    this.pending.delete(answer.slot);
    this.hooks.post({ kind: 'notify', type: 'answer', payload: { turnId: this.turn.id, answer: answerView(answer, stage) } });
  }
}
