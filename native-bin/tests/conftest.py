"""Shared fixtures. Run from native-bin: `python3 -m pytest -q tests`."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

NATIVE_BIN = Path(__file__).resolve().parent.parent
if str(NATIVE_BIN) not in sys.path:
    sys.path.insert(0, str(NATIVE_BIN))
TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

GOLDEN = NATIVE_BIN.parent.parent / "shared" / "golden"


def has(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


@pytest.fixture
def golden() -> Path:
    if not GOLDEN.is_dir():
        pytest.skip(f"golden files not found at {GOLDEN} (they live beside the checkout, in ../shared/golden)")
    return GOLDEN


def worker_env(**extra: str) -> dict:
    """Environment for running `python -m llava_studio_worker.*` from any folder."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(NATIVE_BIN) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def write_run(folder: Path, config: dict, **top) -> Path:
    """A run folder with run.json; returns the run.json path."""
    folder.mkdir(parents=True, exist_ok=True)
    run = {"version": 1, "name": folder.name, "status": "queued", "config": config, "plan": {},
           "pid": None, "host": None, "startedAt": None, **top}
    path = folder / "run.json"
    path.write_text(json.dumps(run, indent=2), encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
