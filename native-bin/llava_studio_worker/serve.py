"""Chat server over stdio: one JSON object per line in, one per line out (logs go to stderr).

    python -m llava_studio_worker.serve --model MODEL [--adapter CHECKPOINT_OR_FINAL_DIR] [--idle-timeout 900]

Requests (stdin):
    {"id": "r1", "type": "generate", "messages": [{"role": "user", "content": [{"type": "image"},
     {"type": "text", "text": "What is this?"}]}], "images": ["/abs/cat.png"],
     "max_new_tokens": 256, "temperature": 0.7, "top_p": 0.9}
      optional "use_adapter": false: answer with the base model, the --adapter LoRA switched off for
      this request (one worker serves a base-vs-adapter compare); refused for a projector checkpoint
    {"type": "cancel", "id": "r1"}
    {"type": "shutdown"}
Replies (stdout):
    {"type": "ready", "model", "adapter", "device", "dtype"}             once, after loading
    {"id", "type": "token", "text"}                                     streamed pieces of text
    {"id", "type": "done", "tokens", "ttft_ms", "cancelled"}            end of one request
    {"id", "type": "error", "message", "hint"}                          (id null: not tied to a request)
    {"type": "exit", "reason": "idle-timeout" | "eof" | "shutdown"}      just before exiting
One request is generated at a time; others queue. The process exits after --idle-timeout seconds
without a request (0: never), on EOF, or on shutdown. Exit 3 when torch/transformers/peft are missing.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
from typing import Callable, Protocol, TextIO

from .errors import EXIT_FAILED, EXIT_OK, WorkerError, first_missing, missing_dependency

SERVE_STACK = ("torch", "transformers", "peft")


class Backend(Protocol):
    def generate(self, request: dict, cancelled: Callable[[], bool], emit: Callable[[str], None]) -> dict: ...


class Channel:
    """Thread-safe JSON-lines writer on stdout."""

    def __init__(self, out: TextIO):
        self.out = out
        self.lock = threading.Lock()

    def send(self, message: dict) -> None:
        line = json.dumps(message, ensure_ascii=False)
        with self.lock:
            self.out.write(line + "\n")
            self.out.flush()

    def error(self, request_id, message: str, hint: str = "") -> None:
        self.send({"id": request_id, "type": "error", "message": message, "hint": hint})


class Server:
    def __init__(self, backend: Backend, channel: Channel, idle_timeout: float):
        self.backend = backend
        self.channel = channel
        self.idle_timeout = idle_timeout
        self.requests: queue.Queue = queue.Queue()
        self.cancelled: set = set()
        self.lock = threading.Lock()

    def read_loop(self, stdin: TextIO) -> None:
        """Runs in a thread: parses requests; cancels take effect at once, generations queue."""
        for line in stdin:
            if not line.strip():
                continue
            try:
                message = json.loads(line)
                kind = message.get("type") if isinstance(message, dict) else None
            except json.JSONDecodeError as error:
                self.channel.error(None, f"not a JSON line: {error.msg}", "send one JSON object per line")
                continue
            if kind == "cancel":
                with self.lock:
                    self.cancelled.add(message.get("id"))
            elif kind in ("generate", "shutdown"):
                self.requests.put(message)
            else:
                self.channel.error(message.get("id") if isinstance(message, dict) else None,
                                   f"unknown request type {kind!r}", "use generate, cancel or shutdown")
        self.requests.put({"type": "eof"})

    def is_cancelled(self, request_id) -> bool:
        with self.lock:
            return request_id in self.cancelled

    def handle(self, request: dict) -> None:
        request_id = request.get("id")
        if request_id is None:
            self.channel.error(None, "generate request without an id", "give every request a unique id")
            return
        if self.is_cancelled(request_id):
            self.channel.send({"id": request_id, "type": "done", "tokens": 0, "ttft_ms": None, "cancelled": True})
            return
        try:
            result = self.backend.generate(request, lambda: self.is_cancelled(request_id),
                                           lambda text: self.channel.send({"id": request_id, "type": "token",
                                                                           "text": text}))
        except WorkerError as error:
            self.channel.error(request_id, error.message, error.hint)
            return
        except Exception as error:  # one bad request must not end the server
            hint = "lower max_new_tokens or use fewer images" if "out of memory" in str(error).lower() else ""
            self.channel.error(request_id, f"{type(error).__name__}: {error}", hint)
            return
        finally:
            with self.lock:
                cancelled = request_id in self.cancelled
                self.cancelled.discard(request_id)
        self.channel.send({"id": request_id, "type": "done", "tokens": result.get("tokens", 0),
                           "ttft_ms": result.get("ttft_ms"), "cancelled": cancelled})

    def run(self, stdin: TextIO) -> str:
        threading.Thread(target=self.read_loop, args=(stdin,), daemon=True).start()
        while True:
            try:
                request = self.requests.get(timeout=self.idle_timeout or None)
            except queue.Empty:
                reason = "idle-timeout"
                break
            if request.get("type") in ("eof", "shutdown"):
                reason = request["type"]
                break
            self.handle(request)
        self.channel.send({"type": "exit", "reason": reason})
        return reason


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m llava_studio_worker.serve", description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="base model: Hub id or folder")
    parser.add_argument("--adapter", help="a checkpoint-N or final/ folder of a run (LoRA adapter or projector)")
    parser.add_argument("--idle-timeout", type=float, default=900.0, help="exit after this many idle seconds (0: never)")
    parser.add_argument("--device", default="auto", help="auto | cuda | cuda:N | cpu")
    parser.add_argument("--dtype", default="auto", choices=("auto", "bf16", "fp16", "fp32"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    channel = Channel(sys.stdout)
    missing = first_missing(SERVE_STACK)
    if missing is not None:
        error = missing_dependency(missing)
        print(error.message, file=sys.stderr)
        channel.error(None, error.message, error.hint)
        return error.exit_code
    from .serve_model import HFBackend

    try:
        backend = HFBackend.load(args.model, args.adapter, args.device, args.dtype)
    except WorkerError as error:
        print(error.message, file=sys.stderr)
        channel.error(None, error.message, error.hint)
        return error.exit_code
    except Exception as error:
        print(f"loading failed: {type(error).__name__}: {error}", file=sys.stderr)
        channel.error(None, f"loading {args.model} failed: {type(error).__name__}: {error}",
                      "check --model/--adapter point at a vision-language model and its run's checkpoint")
        return EXIT_FAILED
    channel.send({"type": "ready", **backend.describe()})
    Server(backend, channel, args.idle_timeout).run(sys.stdin)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
