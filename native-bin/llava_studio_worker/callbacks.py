"""Trainer hooks -> events.jsonl (progress, log, checkpoint) and the graceful-stop logic.

The logic lives in plain classes (`ProgressLogic`) so it is testable without transformers; the
TrainerCallback subclass is built on demand by `trainer_callbacks()`.
"""

from __future__ import annotations

import math
import os
import time
from collections import deque
from typing import Callable

from .checkpoints import list_checkpoints
from .events import EventWriter
from .stop import StopLogic, StopRequest


def _stamp(checkpoint: str) -> float | None:
    """When a checkpoint was last completed (its trainer_state.json), None if it is not there."""
    try:
        return os.stat(os.path.join(checkpoint, "trainer_state.json")).st_mtime_ns
    except OSError:
        return None


def nonfinite_field(values: dict) -> dict:
    """`{"nonfinite": [names]}` for the values that are NaN/inf (the event writes them as null), else {}.

    A null alone would be ambiguous (a progress event's loss is also null before the first log).
    """
    names = [name for name, value in values.items() if isinstance(value, float) and not math.isfinite(value)]
    return {"nonfinite": names} if names else {}


class ProgressLogic:
    """Turns Trainer state into `progress`, `log` and `checkpoint` events.

    Progress is throttled to one event per `min_interval` seconds (plus the last step); speed is
    measured over the last `window` steps so a slow first step (compilation, cache warm-up) fades.
    """

    def __init__(self, events: EventWriter, run_dir: str, clock: Callable[[], float] = time.monotonic,
                 min_interval: float = 0.5, window: int = 20):
        self.events = events
        self.run_dir = run_dir
        self.clock = clock
        self.min_interval = min_interval
        self.steps: deque = deque(maxlen=window + 1)
        self.last_emit = float("-inf")
        self.last_loss: float | None = None
        # Checkpoints already on disk (a resumed run's) were reported by the process that wrote them.
        self.reported_checkpoints: dict[str, float] = {path: _stamp(path) for _, path in list_checkpoints(run_dir)}

    def on_step_end(self, step: int, total: int, epoch: float | None) -> dict | None:
        now = self.clock()
        self.steps.append((step, now))
        if now - self.last_emit < self.min_interval and step < total:
            return None
        self.last_emit = now
        rate = eta = None
        if len(self.steps) >= 2:
            (s0, t0), (s1, t1) = self.steps[0], self.steps[-1]
            if t1 > t0 and s1 > s0:
                rate = (s1 - s0) / (t1 - t0)
                eta = max(0.0, (total - step) / rate) if total > 0 else None
        return self.events.emit("progress", step=step, total=total, loss=self.last_loss,
                                it_s=round(rate, 4) if rate else None,
                                eta_s=round(eta, 1) if eta is not None else None,
                                epoch=round(epoch, 4) if epoch is not None else None,
                                **nonfinite_field({"loss": self.last_loss}))

    def on_log(self, step: int, epoch: float | None, logs: dict) -> dict:
        scalars = {k: v for k, v in logs.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        if "loss" in scalars:
            self.last_loss = float(scalars["loss"])
        return self.events.emit("log", step=step, epoch=epoch, scalars=scalars, **nonfinite_field(scalars))

    def on_save(self, step: int) -> dict | None:
        path = os.path.join(self.run_dir, f"checkpoint-{step}")
        stamp = _stamp(path)
        if stamp is None or self.reported_checkpoints.get(path) == stamp:
            return None
        self.reported_checkpoints[path] = stamp
        return self.events.emit("checkpoint", step=step, path=path)

    def report_unseen_checkpoints(self) -> list[dict]:
        """Checkpoints written without an on_save hook (the JIT checkpoint on SIGTERM)."""
        return [event for step, _ in list_checkpoints(self.run_dir) if (event := self.on_save(step))]


def trainer_callbacks(progress: ProgressLogic, stop: StopRequest) -> list:
    from transformers import TrainerCallback

    stop_logic = StopLogic(stop)

    class EventsCallback(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.is_world_process_zero:
                progress.on_step_end(state.global_step, state.max_steps, state.epoch)
            stop_logic.on_step_end(control)

        def on_epoch_end(self, args, state, control, **kwargs):
            stop_logic.on_epoch_end(control)

        def on_log(self, args, state, control, logs=None, **kwargs):
            if state.is_world_process_zero and logs:
                progress.on_log(state.global_step, state.epoch, logs)

        def on_save(self, args, state, control, **kwargs):
            if state.is_world_process_zero:
                progress.on_save(state.global_step)

    return [EventsCallback()]

