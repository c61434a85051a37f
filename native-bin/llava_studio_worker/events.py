"""events.jsonl: the worker's data channel to the extension.

One JSON object per line, each written with a single `write()` on an O_APPEND descriptor (a tailing
reader never sees half a line from us) and nothing else in the file. Every event carries
`type`, `time` (epoch seconds) and `v` (schema version). Types and their fields:

    started     run_dir, name, pid, host, method, model, resume_from, config
    progress    step, total, loss, it_s, eta_s, epoch, [nonfinite]
    log         step, epoch, scalars {name: number}, [nonfinite]   (the Trainer's logs)
    checkpoint  step, path
    warning     message, hint, [count, rows]
    error       message, hint, traceback
    finished    status ("finished" | "stopped"), step, metrics {name: number}, final_dir

Non-finite floats (a NaN loss) are written as null so that any JSON parser reads the line; progress
and log events then name them in `nonfinite` (["loss", ...]), so that null is not mistaken for "none".
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any, Callable

from . import EVENTS_SCHEMA_VERSION

EVENT_TYPES = ("started", "progress", "log", "checkpoint", "warning", "error", "finished")


def _plain(value: Any) -> Any:
    """JSON-safe copy: NaN/inf become None; tensors and numpy scalars become numbers."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    item = getattr(value, "item", None)  # torch / numpy scalar
    if callable(item):
        try:
            return _plain(item())
        except (TypeError, ValueError, RuntimeError):
            pass
    return str(value)


def is_main_process() -> bool:
    """Only global rank 0 writes events under torchrun/accelerate."""
    return os.environ.get("RANK", "0") == "0"


class EventWriter:
    def __init__(self, path: str | os.PathLike | None, clock: Callable[[], float] = time.time,
                 enabled: bool | None = None):
        self.path = Path(path) if path is not None else None
        self.clock = clock
        self.enabled = (is_main_process() if enabled is None else enabled) and self.path is not None
        self._fd: int | None = None

    def _open(self) -> int:
        if self._fd is None:
            assert self.path is not None
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        return self._fd

    def emit(self, type: str, **fields: Any) -> dict:
        if type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type!r} (known: {', '.join(EVENT_TYPES)})")
        event = {"type": type, "time": round(self.clock(), 3), "v": EVENTS_SCHEMA_VERSION}
        event.update(_plain(fields))
        if self.enabled:
            data = (json.dumps(event, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
            fd = self._open()
            while data:  # a regular file takes it in one write; loop only for safety
                written = os.write(fd, data)
                data = data[written:]
        return event

    def warning(self, message: str, hint: str = "", **extra: Any) -> dict:
        return self.emit("warning", message=message, hint=hint, **extra)

    def error(self, message: str, hint: str = "", traceback: str = "") -> dict:
        return self.emit("error", message=message, hint=hint, traceback=traceback)

    def __getstate__(self) -> dict:
        # DataLoader workers started by spawn/forkserver get a copy that reopens the file itself.
        return {**self.__dict__, "_fd": None}

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def traceback_tail(exc: BaseException, lines: int = 25) -> str:
    import traceback

    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return "\n".join(text.rstrip().splitlines()[-lines:])


def read_events(path: str | os.PathLike) -> list[dict]:
    """Parse an events.jsonl (tests and tools)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
