"""Graceful stop: SIGTERM (or a first Ctrl-C) -> checkpoint -> `finished` (stopped) -> exit 0.

Two mechanisms, one in charge at a time:
- transformers 5.x `enable_jit_checkpoint=True`: its SIGTERM handler checkpoints at the next
  training hook. We chain in front of it (`chain_in_front`) only to record that a stop was asked.
- elsewhere (or when the signal came before the Trainer existed): `StopLogic` sets
  `should_save` + `should_training_stop` at the end of the current step.
"""

from __future__ import annotations

import logging
import signal
import time
from typing import Any, Callable

log = logging.getLogger("llava_studio_worker")


class StopRequest:
    def __init__(self) -> None:
        self.requested = False
        self.signal_name: str | None = None
        self.at: float | None = None
        self.delegated = False  # a chained handler (the Trainer's JIT checkpoint) took care of it
        self._chained: Callable | None = None

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def chain_in_front(self) -> None:
        """Sit in front of whatever SIGTERM handler was installed since `install` (JIT checkpoint)."""
        current = signal.getsignal(signal.SIGTERM)
        if current is not self._handle and callable(current):
            self._chained = current
            signal.signal(signal.SIGTERM, self._handle)

    @property
    def chained(self) -> bool:
        return self._chained is not None

    def _handle(self, signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        if self.requested and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C: stop now, without a checkpoint
        if not self.requested:
            self.requested, self.signal_name, self.at = True, name, time.time()
            log.info("%s received: saving a checkpoint and stopping", name)
        if signum == signal.SIGTERM and self._chained is not None and not self.delegated:
            self.delegated = True
            self._chained(signum, frame)


class StopLogic:
    """The TrainerCallback behaviour for a stop our own handler caught (no JIT checkpoint)."""

    def __init__(self, request: StopRequest) -> None:
        self.request = request

    def on_step_end(self, control: Any) -> None:
        if self.request.requested and not self.request.delegated:
            control.should_save = True
            control.should_training_stop = True

    def on_epoch_end(self, control: Any) -> None:
        self.on_step_end(control)
