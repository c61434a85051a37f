"""Finding checkpoints in a run folder, resolving `--resume latest|checkpoint-N`, and what a start without it means."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping

from .errors import ConfigError

CHECKPOINT_RE = re.compile(r"^checkpoint-(\d+)$")
INCOMPLETE_MARKER = "checkpoint-is-incomplete.txt"  # written by transformers' JIT checkpoint while saving


def list_checkpoints(run_dir: str) -> list[tuple[int, str]]:
    """Complete checkpoints (trainer_state.json present, no incomplete marker), oldest first."""
    found = []
    root = Path(run_dir)
    if not root.is_dir():
        return []
    for child in root.iterdir():
        match = CHECKPOINT_RE.match(child.name)
        if (match and child.is_dir() and (child / "trainer_state.json").is_file()
                and not (child / INCOMPLETE_MARKER).exists()):
            found.append((int(match.group(1)), str(child)))
    return sorted(found)


def resolve_resume(run_dir: str, value: str) -> str:
    checkpoints = list_checkpoints(run_dir)
    if value == "latest":
        if not checkpoints:
            raise ConfigError(f"--resume latest: no complete checkpoint-N folder in {run_dir}",
                              "start without --resume, or pick a folder that has checkpoints")
        return checkpoints[-1][1]
    if not CHECKPOINT_RE.match(value):
        raise ConfigError(f"--resume {value}: expected latest or checkpoint-N")
    path = os.path.join(run_dir, value)
    if path not in {p for _, p in checkpoints}:
        have = ", ".join(Path(p).name for _, p in checkpoints[-5:]) or "none"
        raise ConfigError(f"--resume {value}: not a complete checkpoint in {run_dir} (have: {have})")
    return path


def resume_without_flag(run_dir: str, environ: Mapping[str, str]) -> str | None:
    """The checkpoint a start without --resume continues from, if any.

    A fresh start in a folder that already holds checkpoints would overwrite them (the Trainer saves
    checkpoint-N over an existing one, and save_total_limit then rotates the old run's away), so it is
    refused, except for a SLURM job that was requeued (preempted, or a node failed): the same script
    runs again with SLURM_RESTART_COUNT ≥ 1 and must continue from the newest checkpoint.
    """
    checkpoints = list_checkpoints(run_dir)
    if not checkpoints:
        return None
    if environ.get("SLURM_RESTART_COUNT", "0") not in ("", "0"):
        return checkpoints[-1][1]
    newest = Path(checkpoints[-1][1]).name
    raise ConfigError(f"{run_dir} already holds {newest}: a fresh start would overwrite its checkpoints",
                      "continue it with --resume latest (Resume in the Runs view), or choose a new output folder")

