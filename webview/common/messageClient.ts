import type { NotifyEnvelope, ReplyEnvelope, RequestEnvelope } from '../../src/protocol/envelope';
import type { WebviewApi } from './vscodeApi';

type Notifies<M> = Extract<M, { kind: 'notify' }>;
type NotifyType<M> = M extends NotifyEnvelope<infer T, unknown> ? T : never;
type Method<M> = M extends RequestEnvelope<infer K, unknown> ? K : never;
type Payload<M, T> = M extends NotifyEnvelope<infer U, infer P> ? (U extends T ? P : never) : never;
type Params<M, K> = M extends RequestEnvelope<infer U, infer P> ? (U extends K ? P : never) : never;

/**
 * Typed webview side of the envelope protocol. `In` = host → webview messages, `Out` = webview → host
 * messages, `Results` = what each request method's reply carries. The host is trusted, so inbound
 * messages are typed but not validated here (the host validates everything the webview sends).
 */
export class MessageClient<In, Out, Results extends Record<Method<Out>, unknown>> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  private readonly listener = (event: MessageEvent): void => this.receive(event.data);

  constructor(private readonly api: WebviewApi<unknown>, private readonly onNotify: (message: Notifies<In>) => void) {}

  /** Starts listening, then says `ready` so the host knows it may post. */
  connect(): void {
    window.addEventListener('message', this.listener);
    this.post({ kind: 'notify', type: 'ready', payload: {} });
  }

  notify<T extends NotifyType<Out>>(type: T, payload: Payload<Out, T>): void {
    this.post({ kind: 'notify', type, payload });
  }

  /** Sends a request; resolves with the reply's result, rejects with its error or after `timeoutMs`. */
  request<K extends Method<Out> & keyof Results & string>(method: K, params: Params<Out, K>, timeoutMs = 30_000): Promise<Results[K]> {
    const id = this.nextId++;
    return new Promise<Results[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject, timer });
      this.post({ kind: 'request', id, method, params });
    });
  }

  dispose(): void {
    window.removeEventListener('message', this.listener);
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('disposed'));
    }
    this.pending.clear();
  }

  private receive(data: unknown): void {
    if (typeof data !== 'object' || data === null) return;
    const message = data as { kind?: unknown };
    if (message.kind === 'reply') {
      const reply = data as ReplyEnvelope<unknown>;
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      clearTimeout(p.timer);
      if (reply.error !== undefined) p.reject(new Error(reply.error));
      else p.resolve(reply.result as never);
    } else if (message.kind === 'notify') {
      this.onNotify(data as Notifies<In>);
    }
  }

  private post(message: unknown): void {
    this.api.postMessage(message);
  }
}
