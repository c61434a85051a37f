"""The tiny LLaVA end to end through the worker's command lines, on whatever device torch sees.

    python bench/gpu/e2e_tiny.py OUT_DIR

validate-only -> train (bf16 on a GPU, eval split, checkpoints) -> serve one request from final/.
Writes OUT_DIR/e2e.json (checks and figures) and OUT_DIR/e2e-events.jsonl (the run's events).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "native-bin"), str(ROOT / "native-bin" / "tests")]


def cli(module: str, *args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, PYTHONPATH=str(ROOT / "native-bin"), PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", f"llava_studio_worker.{module}", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=timeout)


def main() -> int:
    from tiny_llava import build_dataset, build_model_folder, run_config

    from llava_studio_worker.events import read_events

    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="llava-studio-e2e-"))
    summary: dict = {"checks": {}}
    checks = summary["checks"]
    model, data = build_model_folder(work / "model"), build_dataset(work / "data", repeats=3)
    run_dir = work / "run"
    run_dir.mkdir()
    run_json = run_dir / "run.json"
    run_json.write_text(json.dumps(run_config(model, data, run_dir, bf16=True, max_steps=30, save_steps=10,
                                              logging_steps=2, dataset={"path": str(data), "eval_ratio": 0.2})))

    validated = cli("train", "--config", str(run_json), "--validate-only")
    checks["validate_only_exit_0"] = validated.returncode == 0
    summary["validate"] = json.loads(validated.stdout).get("dataset") if validated.stdout.startswith("{") else None

    started = time.perf_counter()
    trained = cli("train", "--config", str(run_json), timeout=300)
    summary["train_wall_s"] = round(time.perf_counter() - started, 1)
    checks["train_exit_0"] = trained.returncode == 0
    if trained.returncode != 0:
        summary["train_stderr_tail"] = trained.stderr[-4000:]
    events = read_events(run_dir / "events.jsonl") if (run_dir / "events.jsonl").exists() else []
    if events:
        shutil.copy(run_dir / "events.jsonl", out / "e2e-events.jsonl")
    losses = [e["scalars"]["loss"] for e in events if e["type"] == "log" and "loss" in e["scalars"]]
    finished = events[-1] if events and events[-1]["type"] == "finished" else {}
    summary.update(event_types={t: sum(e["type"] == t for e in events) for t in {e["type"] for e in events}},
                   loss_first=losses[0] if losses else None, loss_last=losses[-1] if losses else None,
                   final_metrics=finished.get("metrics"),
                   final_files=sorted(p.name for p in (run_dir / "final").iterdir()) if (run_dir / "final").is_dir() else [])
    checks["finished_status"] = finished.get("status") == "finished" and finished.get("step") == 30
    checks["loss_fell"] = bool(losses) and losses[-1] < losses[0]
    checks["eval_loss_logged"] = any("eval_loss" in e.get("scalars", {}) for e in events if e["type"] == "log")
    checks["checkpoints_10_20_30"] = [e["step"] for e in events if e["type"] == "checkpoint"] == [10, 20, 30]
    checks["tensorboard_files"] = bool(list((run_dir / "runs").glob("*/events.out.tfevents.*")))
    checks["final_adapter_and_card"] = {"adapter_model.safetensors", "adapter_config.json",
                                        "README.md"} <= set(summary["final_files"])
    started_event = events[0] if events else {}
    summary["precision_warnings"] = [e["message"] for e in events if e["type"] == "warning"]

    request = {"id": "e2e", "type": "generate", "images": [str(data.parent / "blue.png")], "max_new_tokens": 8,
               "temperature": 0, "messages": [{"role": "user", "content": [
                   {"type": "image"}, {"type": "text", "text": "What colour is this picture?"}]}]}
    served = cli("serve", "--model", str(model), "--adapter", str(run_dir / "final"), "--idle-timeout", "60",
                 stdin=json.dumps(request) + "\n" + json.dumps({"type": "shutdown"}) + "\n", timeout=180)
    replies = [json.loads(line) for line in served.stdout.splitlines() if line.startswith("{")]
    done = next((r for r in replies if r.get("type") == "done"), {})
    summary["serve"] = {"exit": served.returncode, "ready": replies[0] if replies else None,
                        "text": "".join(r["text"] for r in replies if r.get("type") == "token"),
                        "tokens": done.get("tokens"), "ttft_ms": done.get("ttft_ms")}
    if served.returncode != 0:
        summary["serve"]["stderr_tail"] = served.stderr[-3000:]
    checks["serve_streamed"] = served.returncode == 0 and bool(done.get("tokens"))
    summary["started_event_keys"] = sorted(started_event)
    summary["ok"] = all(checks.values())
    (out / "e2e.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
