"""Train a LoRA/QLoRA adapter (or the projector alone) on a vision-language model.

    python -m llava_studio_worker.train --config RUN/run.json [--resume latest|checkpoint-N] [--validate-only]

Writes into the run folder (config.output_dir): events.jsonl (data channel), train.log (human log),
runs/<time>_<host>/ (TensorBoard), checkpoint-N/ and, when done, final/ (adapter, processor, README.md).
It never pushes, and never needs a Hub token to: whoever launched it pushes final/ after `finished`
(config.push; by hand: `python -m llava_studio_worker.push`).
Exit codes: 0 finished or stopped (SIGTERM), 1 failed, 2 invalid config/data/resume, 3 missing package.
`--validate-only` needs neither torch nor a GPU: it checks run.json and the dataset and prints a summary.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Callable

from .checkpoints import resolve_resume, resume_without_flag
from .config import RunFile, load_run_file
from .errors import EXIT_FAILED, EXIT_OK, WorkerError, first_missing, missing_dependency
from .events import EventWriter, traceback_tail
from .logs import configure_logging
from .stop import StopRequest

log = logging.getLogger("llava_studio_worker")

Runner = Callable[[RunFile, EventWriter, StopRequest, "str | None"], object]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m llava_studio_worker.train", description=__doc__.split("\n")[0])
    parser.add_argument("--config", required=True, help="the run's run.json")
    parser.add_argument("--resume", metavar="latest|checkpoint-N",
                        help="continue this run from its newest or a named checkpoint")
    parser.add_argument("--validate-only", action="store_true",
                        help="check run.json and the dataset, print a JSON summary, exit (no torch needed)")
    return parser.parse_args(argv)


def _fail(events: EventWriter | None, error: WorkerError, traceback: str = "") -> int:
    print(error.message, file=sys.stderr)
    if error.hint and error.hint not in error.message:
        print(f"hint: {error.hint}", file=sys.stderr)
    if events is not None:
        events.error(error.message, error.hint, traceback)
    return error.exit_code


def main(argv: list[str] | None = None, runner: Runner | None = None) -> int:
    args = parse_args(argv)
    events: EventWriter | None = None
    try:
        run = load_run_file(args.config)
    except WorkerError as error:
        # A broken run.json still gets its error event, in the folder it lives in (its run folder).
        report = not args.validate_only and Path(args.config).is_file()
        return _fail(EventWriter(Path(args.config).resolve().parent / "events.jsonl") if report else None, error)
    if args.validate_only:
        from .validate import validate_run

        return validate_run(run)

    run_dir = run.config.output_dir
    events = EventWriter(os.path.join(run_dir, "events.jsonl"))
    configure_logging(run_dir)
    if runner is None:
        missing = first_missing()
        if missing is not None:
            return _fail(events, missing_dependency(missing))
        from .training import run_training as runner

    stop = StopRequest()
    stop.install()
    try:
        if args.resume:
            resume_from = resolve_resume(run_dir, args.resume)
        else:
            resume_from = resume_without_flag(run_dir, os.environ)
        config = run.config
        events.emit("started", run_dir=run_dir, name=run.name, pid=os.getpid(), host=socket.gethostname(),
                    method=config.method, model=config.model, resume_from=resume_from, config=config.to_dict())
        if resume_from is not None and not args.resume:
            events.warning(f"SLURM requeued the job (restart {os.environ.get('SLURM_RESTART_COUNT')}): "
                           f"continuing from {Path(resume_from).name}")
        log.info("run %s: %s on %s (resume: %s)", run.name, config.method, config.model, resume_from)
        outcome = runner(run, events, stop, resume_from)
        events.emit("finished", status=outcome.status, step=outcome.step, metrics=outcome.metrics,
                    final_dir=outcome.final_dir, checkpoint=outcome.checkpoint)
        log.info("%s at step %d", outcome.status, outcome.step)
        return EXIT_OK
    except WorkerError as error:
        log.error("%s", error.message)
        return _fail(events, error, traceback_tail(error))
    except KeyboardInterrupt:
        return _fail(events, WorkerError("interrupted twice: stopped without a checkpoint", "", EXIT_FAILED))
    except Exception as error:  # report every crash on the events channel, then exit non-zero
        log.exception("training failed")
        hint = _hint_for(error)
        return _fail(events, WorkerError(f"{type(error).__name__}: {error}", hint, EXIT_FAILED),
                     traceback_tail(error))
    finally:
        events.close()


def _hint_for(error: Exception) -> str:
    text = str(error)
    if "out of memory" in text.lower():
        return "lower per_device_batch (raise grad_accum to keep the batch), or use method qlora"
    if "Image features and image tokens do not match" in text or "image token" in text.lower():
        return "a sample's image tokens were cut or miscounted: check max_length and the chat template"
    return "see train.log in the run folder"


if __name__ == "__main__":
    sys.exit(main())
