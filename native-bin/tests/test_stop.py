import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import TESTS, worker_env, write_jsonl, write_run

from llava_studio_worker.events import read_events
from llava_studio_worker.stop import StopLogic, StopRequest


class Control:
    should_save = False
    should_training_stop = False


def test_stop_logic_saves_and_stops_only_when_asked_and_not_delegated():
    request = StopRequest()
    logic = StopLogic(request)
    control = Control()
    logic.on_step_end(control)
    assert (control.should_save, control.should_training_stop) == (False, False)
    request.requested = True
    logic.on_step_end(control)
    assert (control.should_save, control.should_training_stop) == (True, True)
    request.delegated, control = True, Control()  # the JIT checkpoint handler does the saving
    logic.on_step_end(control)
    assert (control.should_save, control.should_training_stop) == (False, False)


def test_chained_handler_is_called_once(monkeypatch):
    calls = []
    previous = signal.getsignal(signal.SIGTERM)
    try:
        request = StopRequest()
        request.install()
        signal.signal(signal.SIGTERM, lambda s, f: calls.append(s))  # what Trainer.__init__ would install
        request.chain_in_front()
        assert request.chained
        signal.raise_signal(signal.SIGTERM)
        signal.raise_signal(signal.SIGTERM)
        assert request.requested and request.delegated and calls == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _run_dir(tmp_path: Path, max_steps: int) -> Path:
    data = write_jsonl(tmp_path / "d.jsonl", [{"messages": [{"role": "user", "content": "q"},
                                                            {"role": "assistant", "content": "a"}]}])
    return write_run(tmp_path / "run", {"model": "m", "dataset": {"path": str(data)}, "max_steps": max_steps,
                                        "save_steps": 1000})


def _wait_for_step(events: Path, step: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if events.exists() and any(e["type"] == "progress" and e["step"] >= step for e in read_events(events)):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("no progress event in time")


def test_sigterm_checkpoints_reports_stopped_exits_0_and_resume_continues(tmp_path: Path):
    run_json = _run_dir(tmp_path, max_steps=400)
    events = run_json.parent / "events.jsonl"
    stub = [sys.executable, str(TESTS / "stub_train.py"), "--config", str(run_json)]
    process = subprocess.Popen(stub, env=worker_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_step(events, 3, process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr

    log = read_events(events)
    assert log[0]["type"] == "started" and log[0]["resume_from"] is None
    finished = log[-1]
    assert finished["type"] == "finished" and finished["status"] == "stopped"
    stopped_at = finished["step"]
    assert 3 <= stopped_at < 400
    checkpoint = [e for e in log if e["type"] == "checkpoint"]
    assert checkpoint[-1]["step"] == stopped_at and Path(checkpoint[-1]["path"]).is_dir()
    assert finished["checkpoint"] == checkpoint[-1]["path"]
    assert "SIGTERM received" in (run_json.parent / "train.log").read_text()

    run_json.write_text(run_json.read_text().replace('"max_steps": 400', f'"max_steps": {stopped_at + 3}'))
    resumed = subprocess.run(stub + ["--resume", "latest"], env=worker_env(), capture_output=True, text=True,
                             timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    log = read_events(events)[len(log):]
    assert log[0]["type"] == "started" and log[0]["resume_from"] == checkpoint[-1]["path"]
    assert [e["step"] for e in log if e["type"] == "progress"] == [stopped_at + 1, stopped_at + 2, stopped_at + 3]
    assert log[-1]["type"] == "finished" and log[-1]["status"] == "finished" and log[-1]["step"] == stopped_at + 3


def test_resume_without_checkpoints_is_an_invalid_request(tmp_path: Path):
    run_json = _run_dir(tmp_path, max_steps=5)
    result = subprocess.run([sys.executable, str(TESTS / "stub_train.py"), "--config", str(run_json),
                             "--resume", "checkpoint-7"], env=worker_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--resume checkpoint-7: not a complete checkpoint" in result.stderr
    error = read_events(run_json.parent / "events.jsonl")[-1]
    assert error["type"] == "error" and "checkpoint-7" in error["message"]


def _checkpoint(run_dir: Path, step: int) -> None:
    (run_dir / f"checkpoint-{step}").mkdir()
    (run_dir / f"checkpoint-{step}" / "trainer_state.json").write_text(json.dumps({"global_step": step}))


def test_a_fresh_start_never_overwrites_checkpoints_of_the_same_folder(tmp_path: Path):
    run_json = _run_dir(tmp_path, max_steps=5)
    _checkpoint(run_json.parent, 2)
    stub = [sys.executable, str(TESTS / "stub_train.py"), "--config", str(run_json)]
    result = subprocess.run(stub, env=worker_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "already holds checkpoint-2" in result.stderr and "--resume latest" in result.stderr
    assert json.loads((run_json.parent / "checkpoint-2" / "trainer_state.json").read_text())["global_step"] == 2


def test_a_requeued_slurm_job_continues_from_the_newest_checkpoint(tmp_path: Path):
    """sbatch reruns the same script after a preemption: SLURM_RESTART_COUNT says it is a rerun."""
    run_json = _run_dir(tmp_path, max_steps=6)
    _checkpoint(run_json.parent, 2)
    _checkpoint(run_json.parent, 4)
    stub = [sys.executable, str(TESTS / "stub_train.py"), "--config", str(run_json)]
    result = subprocess.run(stub, env={**worker_env(), "SLURM_RESTART_COUNT": "1"}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    log = read_events(run_json.parent / "events.jsonl")
    assert log[0]["type"] == "started" and log[0]["resume_from"] == str(run_json.parent / "checkpoint-4")
    assert log[1]["type"] == "warning" and "continuing from checkpoint-4" in log[1]["message"]
    assert [e["step"] for e in log if e["type"] == "progress"] == [5, 6]


def test_a_run_that_pushes_never_pushes_from_the_worker(tmp_path: Path):
    """config.push is the launcher's to act on after `finished`: the worker neither needs nor uses a token."""
    run_json = _run_dir(tmp_path, max_steps=2)
    config = json.loads(run_json.read_text())
    config["config"]["push"] = {"repo_id": "me/cats", "private": True}
    run_json.write_text(json.dumps(config))
    stub = [sys.executable, str(TESTS / "stub_train.py"), "--config", str(run_json)]
    for token in ({"HF_TOKEN": "hf_WorkerMustNotUse"}, {}):
        result = subprocess.run(stub, env=worker_env(**token), capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
    log = read_events(run_json.parent / "events.jsonl")
    assert [e["type"] for e in log if e["type"] in ("warning", "error")] == [], log
    assert [e["status"] for e in log if e["type"] == "finished"] == ["finished", "finished"]
    assert log[-1]["final_dir"] == str(run_json.parent / "final")
