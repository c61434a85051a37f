"""DataLoader workers must survive a SIGTERM that is not from the trainer (group kill, torch elastic,
scancel), and still run the Trainer's own worker_init_fn. Torch-free: the init function is plain
Python, tried in real forked processes the way DataLoader runs it (fork, then init_fn(worker_id))."""

import os
import pickle
import signal
import time
from functools import partial
from pathlib import Path

from llava_studio_worker.loader_signals import QuietWorkerInit, guard_loader


def _write_worker_id(path: str, worker_id: int, num_workers: int = 0) -> None:
    """Stands in for transformers' seed_worker (a module-level function in a partial, like the Trainer's)."""
    Path(path).write_text(f"{worker_id}/{num_workers}")


def _worker(init, signal_from_outside: bool) -> int:
    """Forks a 'DataLoader worker': init_fn(3), then a SIGTERM from another process; returns its wait status."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            os.close(ready_r)
            if init is not None:
                init(3)
            os.write(ready_w, b"x")
            time.sleep(0.3)  # a SIGTERM must not end this
            os._exit(0)
        except BaseException:
            os._exit(2)
    os.close(ready_w)
    assert os.read(ready_r, 1) == b"x"
    os.close(ready_r)
    if signal_from_outside:
        os.kill(pid, signal.SIGTERM)  # not from its parent's shutdown: a group kill or killpg
    _, status = os.waitpid(pid, 0)
    return status


def test_a_worker_ignores_sigterm_and_runs_the_chained_init(tmp_path: Path):
    seen = tmp_path / "seen"
    status = _worker(QuietWorkerInit(partial(_write_worker_id, str(seen), num_workers=2)), signal_from_outside=True)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    assert seen.read_text() == "3/2", "the Trainer's seed_worker still ran, with the worker id"


def test_without_it_the_same_sigterm_kills_the_worker():
    status = _worker(None, signal_from_outside=True)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM


def test_it_pickles_for_spawn_and_forkserver_workers(tmp_path: Path):
    seen = tmp_path / "seen"
    init = pickle.loads(pickle.dumps(QuietWorkerInit(partial(_write_worker_id, str(seen)))))
    previous = signal.getsignal(signal.SIGTERM)
    try:
        init(1)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen.read_text() == "1/0"


class Loader:
    """The attributes of a torch DataLoader that guard_loader touches."""

    def __init__(self, num_workers: int, worker_init_fn=None):
        self.num_workers = num_workers
        self.worker_init_fn = worker_init_fn


class Prepared:
    """accelerate's DataLoaderShard (a DataLoaderAdapter): it iterates the real loader, `base_dataloader`."""

    def __init__(self, base: Loader):
        self.base_dataloader = base
        self.num_workers = base.num_workers


def test_guard_loader_wraps_once_keeps_the_trainers_init_and_skips_loaders_without_workers():
    seed_worker = partial(_write_worker_id, "/nonexistent")
    loader = guard_loader(Loader(2, seed_worker))
    assert isinstance(loader.worker_init_fn, QuietWorkerInit) and loader.worker_init_fn.chained is seed_worker
    first = loader.worker_init_fn
    assert guard_loader(loader).worker_init_fn is first, "a second call does not wrap twice"
    evaluation = guard_loader(Loader(2))  # the Trainer gives eval loaders no init function
    assert isinstance(evaluation.worker_init_fn, QuietWorkerInit) and evaluation.worker_init_fn.chained is None
    in_process = guard_loader(Loader(0, seed_worker))
    assert in_process.worker_init_fn is seed_worker, "num_workers=0: the loader runs in the trainer itself"
    prepared = guard_loader(Prepared(Loader(2, seed_worker)))
    assert isinstance(prepared.base_dataloader.worker_init_fn, QuietWorkerInit)
