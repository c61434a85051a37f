"""Without torch, train and serve end at once with exit 3 and the exact install hint.

Where torch is installed but another package of the stack is not (Debian's python3-torch without
transformers), the same message names that package instead.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NATIVE_BIN, worker_env, write_jsonl, write_run

from llava_studio_worker.errors import first_missing
from llava_studio_worker.events import read_events

MISSING = first_missing()
pytestmark = pytest.mark.skipif(MISSING is None, reason=f"the whole training stack is installed in {sys.executable}")

HINT = f"{MISSING} is not installed in {sys.executable}: pip install -r {NATIVE_BIN.resolve() / 'requirements.txt'}"


def test_the_hint_without_torch_is_exactly_the_documented_one():
    if MISSING != "torch":
        pytest.skip(f"torch is installed in {sys.executable}")
    assert HINT == f"torch is not installed in {sys.executable}: pip install -r {NATIVE_BIN.resolve()}/requirements.txt"


def test_train_exits_3_with_the_hint_on_stderr_and_in_events(tmp_path: Path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"messages": [{"role": "user", "content": "q"},
                                                            {"role": "assistant", "content": "a"}]}])
    run_json = write_run(tmp_path / "run", {"model": "m", "dataset": {"path": str(data)}})
    result = subprocess.run([sys.executable, "-m", "llava_studio_worker.train", "--config", str(run_json)],
                            cwd=tmp_path, env=worker_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert result.stderr.splitlines()[0] == HINT
    events = read_events(tmp_path / "run" / "events.jsonl")
    assert [e["type"] for e in events] == ["error"]
    assert events[0]["message"] == HINT
    assert events[0]["hint"] == f"pip install -r {NATIVE_BIN.resolve() / 'requirements.txt'}"


def test_serve_exits_3_with_the_hint(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "llava_studio_worker.serve", "--model", "m"], cwd=tmp_path,
                            env=worker_env(), capture_output=True, text=True, timeout=60, input="")
    assert result.returncode == 3
    assert result.stderr.splitlines()[0] == HINT
    reply = json.loads(result.stdout)
    assert reply == {"id": None, "type": "error", "message": HINT,
                     "hint": f"pip install -r {NATIVE_BIN.resolve() / 'requirements.txt'}"}
