"""The real thing, where torch + transformers + accelerate import (the GPU image): the Trainer's own
DataLoader workers get a SIGTERM from outside, as a group kill or torch elastic's killpg sends it.
Without the guard the iteration dies ("DataLoader worker … killed by signal: Terminated"); with
StudioTrainer it goes on, and the Trainer's seed_worker still runs in each worker."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time

import pytest
from conftest import has

pytestmark = pytest.mark.skipif(not has("torch", "transformers", "accelerate"),
                                reason="needs torch, transformers and accelerate (the GPU image has them)")


def _trainer(cls, tmp_path):
    import torch
    from transformers import TrainingArguments

    args = TrainingArguments(output_dir=str(tmp_path), per_device_train_batch_size=1, dataloader_num_workers=2,
                             use_cpu=True, report_to=[], disable_tqdm=True)
    return cls(model=torch.nn.Linear(1, 1), args=args, train_dataset=[[float(i)] for i in range(64)],
               data_collator=lambda rows: {"x": torch.tensor(rows)})


def _kill_workers_then_drain(loader) -> int:
    batches = iter(loader)
    next(batches)  # the workers are up
    workers = [p for p in multiprocessing.active_children() if p.pid != os.getpid()]
    assert len(workers) >= 2, workers
    # From another process, as a group kill or torch elastic's killpg: torch's workers exit quietly
    # only when the sender is their parent.
    pids = ", ".join(str(w.pid) for w in workers)
    subprocess.run([sys.executable, "-c", f"import os, signal\nfor pid in ({pids},): os.kill(pid, signal.SIGTERM)"], check=True)
    time.sleep(0.5)
    return 1 + sum(1 for _ in batches)


def test_studio_trainer_loader_workers_survive_an_outside_sigterm(tmp_path):
    from llava_studio_worker.loader_signals import QuietWorkerInit
    from llava_studio_worker.trainer_setup import trainer_class

    loader = _trainer(trainer_class(projector_only=False), tmp_path).get_train_dataloader()
    inner = getattr(loader, "base_dataloader", loader)
    assert isinstance(inner.worker_init_fn, QuietWorkerInit)
    assert getattr(inner.worker_init_fn.chained, "func", None).__name__ == "seed_worker"
    assert _kill_workers_then_drain(loader) == 64


def test_a_plain_trainer_loader_dies_of_the_same_sigterm(tmp_path):
    from transformers import Trainer

    loader = _trainer(Trainer, tmp_path).get_train_dataloader()
    with pytest.raises(RuntimeError, match="DataLoader worker"):
        _kill_workers_then_drain(loader)
