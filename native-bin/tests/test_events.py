import json
import math
import os
from pathlib import Path

import pytest

from llava_studio_worker.callbacks import ProgressLogic
from llava_studio_worker.events import EVENT_TYPES, EventWriter, read_events, traceback_tail


class Clock:
    def __init__(self, t=1000.0):
        self.t = t

    def __call__(self):
        return self.t


def test_each_event_is_one_flushed_json_line(tmp_path: Path):
    path = tmp_path / "run" / "events.jsonl"
    events = EventWriter(path, clock=Clock(1730000000.1234), enabled=True)
    events.emit("started", run_dir=str(tmp_path), pid=1)
    # Readable before close: nothing is buffered in the process.
    assert json.loads(path.read_text().splitlines()[0]) == {
        "type": "started", "time": 1730000000.123, "v": 1, "run_dir": str(tmp_path), "pid": 1}
    events.emit("progress", step=1, total=10, loss=float("nan"), it_s=None, eta_s=math.inf, epoch=0.1)
    events.warning("3 rows left out", "see train.log", count=3, rows=[{"reason": "missing image", "count": 3}])
    lines = path.read_text().splitlines()
    assert len(lines) == 3 and path.read_text().endswith("\n")
    progress = json.loads(lines[1])
    assert progress["loss"] is None and progress["eta_s"] is None  # NaN/inf are not JSON
    assert all({"type", "time", "v"} <= set(json.loads(line)) for line in lines)
    events.close()


def test_appends_across_writers(tmp_path: Path):
    path = tmp_path / "events.jsonl"
    for step in (1, 2):
        writer = EventWriter(path, enabled=True)
        writer.emit("checkpoint", step=step, path=str(tmp_path / f"checkpoint-{step}"))
        writer.close()
    assert [e["step"] for e in read_events(path)] == [1, 2]


def test_unknown_type_is_a_programming_error(tmp_path: Path):
    with pytest.raises(ValueError, match="unknown event type"):
        EventWriter(tmp_path / "e.jsonl", enabled=True).emit("progres", step=1)
    assert set(EVENT_TYPES) == {"started", "progress", "log", "checkpoint", "warning", "error", "finished"}


def test_only_rank_zero_writes(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("RANK", "1")
    writer = EventWriter(tmp_path / "e.jsonl")
    writer.emit("log", step=1, scalars={})
    assert not (tmp_path / "e.jsonl").exists()


def test_values_are_made_json_safe(tmp_path: Path):
    class Scalar:
        def item(self):
            return 0.5

    event = EventWriter(tmp_path / "e.jsonl", enabled=True).emit(
        "log", step=1, scalars={"loss": Scalar(), "path": Path("/x"), "nested": (1, float("-inf"))})
    assert event["scalars"] == {"loss": 0.5, "path": "/x", "nested": [1, None]}


def test_error_event_carries_the_traceback_tail(tmp_path: Path):
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        tail = traceback_tail(error, lines=2)
    event = EventWriter(tmp_path / "e.jsonl", enabled=True).error("RuntimeError: boom", "see train.log", tail)
    assert event["traceback"].endswith("RuntimeError: boom") and event["hint"] == "see train.log"


def test_progress_is_throttled_and_measures_speed(tmp_path: Path):
    clock = Clock(0.0)
    events = EventWriter(tmp_path / "e.jsonl", enabled=True, clock=clock)
    progress = ProgressLogic(events, str(tmp_path), clock=clock, min_interval=1.0, window=4)
    emitted = []
    for step in range(1, 11):
        clock.t = step * 0.25  # 4 steps per second
        emitted.append(progress.on_step_end(step, 10, step / 10))
    shown = [e for e in emitted if e]
    assert [e["step"] for e in shown] == [1, 5, 9, 10]  # every ~1 s, plus the last step
    assert shown[-1]["it_s"] == pytest.approx(4.0) and shown[-1]["eta_s"] == 0
    assert shown[1]["eta_s"] == 1.2  # 5 steps left at 4/s = 1.25 s, to 0.1 s
    progress.on_log(10, 1.0, {"loss": 0.7, "learning_rate": 1e-4, "note": "text is dropped"})
    clock.t = 10.0
    assert progress.on_step_end(11, 20, 1.1)["loss"] == 0.7
    assert read_events(tmp_path / "e.jsonl")[-2]["scalars"] == {"loss": 0.7, "learning_rate": 1e-4}


def test_checkpoint_events_once_per_folder(tmp_path: Path):
    events = EventWriter(tmp_path / "e.jsonl", enabled=True)
    os.makedirs(tmp_path / "checkpoint-2")
    (tmp_path / "checkpoint-2" / "trainer_state.json").write_text("{}")  # from the run being resumed
    progress = ProgressLogic(events, str(tmp_path))
    assert progress.on_save(5) is None  # the folder is not there
    for step in (5, 7):
        os.makedirs(tmp_path / f"checkpoint-{step}")
        (tmp_path / f"checkpoint-{step}" / "trainer_state.json").write_text("{}")
    assert progress.on_save(5)["path"] == str(tmp_path / "checkpoint-5")
    assert progress.on_save(5) is None
    assert [e["step"] for e in progress.report_unseen_checkpoints()] == [7]


def test_nonfinite_values_are_named_not_just_nulled(tmp_path: Path):
    clock = Clock(0.0)
    events = EventWriter(tmp_path / "e.jsonl", enabled=True, clock=clock)
    progress = ProgressLogic(events, str(tmp_path), clock=clock, min_interval=0)
    assert "nonfinite" not in progress.on_step_end(1, 10, 0.1), "no loss logged yet: null, and nothing non-finite"
    finite = progress.on_log(1, 0.1, {"loss": 0.7, "grad_norm": 1.0})
    assert "nonfinite" not in finite
    diverged = progress.on_log(2, 0.2, {"loss": float("nan"), "grad_norm": float("inf"), "learning_rate": 1e-4})
    assert diverged["scalars"] == {"loss": None, "grad_norm": None, "learning_rate": 1e-4}
    assert diverged["nonfinite"] == ["loss", "grad_norm"]
    clock.t = 1.0
    after = progress.on_step_end(2, 10, 0.2)
    assert after["loss"] is None and after["nonfinite"] == ["loss"]
    on_disk = read_events(tmp_path / "e.jsonl")
    assert [e.get("nonfinite") for e in on_disk] == [None, None, ["loss", "grad_norm"], ["loss"]]
