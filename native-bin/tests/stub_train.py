"""A training-loop stand-in, run as a subprocess by test_stop.py.

It goes through the real `train.main` (run.json, events.jsonl, signal handler, exit codes) with a
loop that calls the same stop/progress logic the Trainer callbacks call, and saves checkpoints the
way the Trainer does (checkpoint-N/trainer_state.json).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llava_studio_worker import train  # noqa: E402
from llava_studio_worker.callbacks import ProgressLogic  # noqa: E402
from llava_studio_worker.stop import StopLogic  # noqa: E402
from llava_studio_worker.training import Outcome  # noqa: E402


class Control:
    should_save = False
    should_training_stop = False


def save(run_dir: str, step: int) -> str:
    folder = os.path.join(run_dir, f"checkpoint-{step}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "trainer_state.json"), "w") as handle:
        json.dump({"global_step": step}, handle)
    return folder


def stub_runner(run, events, stop, resume_from):
    run_dir, total = run.config.output_dir, run.config.max_steps
    progress = ProgressLogic(events, run_dir, min_interval=0)
    logic = StopLogic(stop)
    step = json.load(open(os.path.join(resume_from, "trainer_state.json")))["global_step"] if resume_from else 0
    while step < total:
        time.sleep(0.05)
        step += 1
        control = Control()
        progress.on_step_end(step, total, step / total)
        logic.on_step_end(control)
        if control.should_save or step % run.config.save_steps == 0:
            save(run_dir, step)
            progress.on_save(step)
        if control.should_training_stop:
            return Outcome("stopped", step, {}, checkpoint=os.path.join(run_dir, f"checkpoint-{step}"))
    final_dir = os.path.join(run_dir, "final")  # what the real worker leaves: an adapter and a card
    os.makedirs(final_dir, exist_ok=True)
    for name in ("adapter_model.safetensors", "adapter_config.json", "README.md"):
        with open(os.path.join(final_dir, name), "w") as handle:
            handle.write("x")
    return Outcome("finished", step, {"train_loss": 0.5}, final_dir)


if __name__ == "__main__":
    sys.exit(train.main(sys.argv[1:], runner=stub_runner))
