"""DataLoader workers that outlive a SIGTERM meant for the trainer.

torch's DataLoader workers exit quietly only on a SIGTERM sent by their parent; any other SIGTERM
kills them, and the trainer's SIGCHLD handler then raises "DataLoader worker (pid N) is killed by
signal: Terminated" in the training loop instead of letting it checkpoint. Such signals come from a
group-wide kill, from torch.distributed.elastic under `accelerate launch` (on SIGTERM it `killpg`s
each rank's session, and a rank's DataLoader workers are in it), and from slurmstepd (`scancel
--signal=TERM` signals every process of the step).

So every worker ignores SIGTERM. It still ends the usual ways: the trainer's shutdown (sentinel and
done event), its watchdog when the trainer is gone, and SIGKILL (what the supervisor sends after the
grace period).
"""

from __future__ import annotations

import signal
from typing import Any, Callable


class QuietWorkerInit:
    """A DataLoader `worker_init_fn`: ignore SIGTERM, then run the one the Trainer chose (its seed_worker).

    A class, not a closure, so that spawn/forkserver workers can unpickle it.
    """

    def __init__(self, chained: Callable[[int], Any] | None = None):
        self.chained = chained

    def __call__(self, worker_id: int) -> None:
        # After torch's own worker signal handlers: this replaces its SIGTERM handler.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if self.chained is not None:
            self.chained(worker_id)


def guard_loader(loader):
    """Give `loader` (a torch DataLoader, or accelerate's wrapper around one) a QuietWorkerInit. Returns it.

    transformers' Trainer builds its DataLoaders itself (`_get_dataloader`, with `worker_init_fn=
    partial(seed_worker, …)` for training) and has no argument for another init function, so the
    ready loader gets one: DataLoader reads `worker_init_fn` when an iterator starts its workers.
    accelerate's DataLoaderShard / DataLoaderDispatcher (DataLoaderAdapter) iterate the DataLoader
    they hold as `base_dataloader`: that one is what counts.
    """
    for target in (loader, getattr(loader, "base_dataloader", None)):
        if target is None or not getattr(target, "num_workers", 0):
            continue  # no worker processes: nothing to guard (and never the trainer's own handler)
        current = getattr(target, "worker_init_fn", None)
        if not isinstance(current, QuietWorkerInit):
            target.worker_init_fn = QuietWorkerInit(current)
    return loader
