"""Finding checkpoints in a run folder and resolving `--resume latest|checkpoint-N`."""

from __future__ import annotations

import os
import re
from pathlib import Path

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
