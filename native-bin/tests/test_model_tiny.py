"""End to end on a tiny random LLaVA: collator labels, training, checkpoints, SIGTERM, resume, serve.

Skipped where torch, transformers, peft, tokenizers or Pillow do not import. Runs on CUDA when
there is a GPU (the worker picks it), else on the CPU in fp32.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import has, worker_env

STACK = ("torch", "transformers", "peft", "accelerate", "tokenizers", "PIL", "safetensors")
pytestmark = pytest.mark.skipif(not has(*STACK), reason="needs " + ", ".join(
    m for m in STACK if not has(m)) + " (the GPU image has them; Debian does not package transformers/peft)")

from llava_studio_worker.events import read_events  # noqa: E402


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict:
    from tiny_llava import build_dataset, build_model_folder

    root = tmp_path_factory.mktemp("tiny")
    return {"model": build_model_folder(root / "model"), "data": build_dataset(root / "data"), "root": root}


def _write_run(tiny: dict, name: str, **changes) -> Path:
    from tiny_llava import run_config

    run_dir = tiny["root"] / name
    run_dir.mkdir()
    path = run_dir / "run.json"
    path.write_text(json.dumps(run_config(tiny["model"], tiny["data"], run_dir, **changes)))
    return path


def _train(run_json: Path, *extra: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llava_studio_worker.train", "--config", str(run_json), *extra],
                          env=worker_env(), capture_output=True, text=True, timeout=timeout)


def test_collator_labels_only_the_answers_and_counts_image_tokens(tiny):
    from transformers import AutoProcessor

    from llava_studio_worker.collate import ImageTokenCounter, PromptBuilder, VisionChatCollator
    from llava_studio_worker.config import DatasetSettings
    from llava_studio_worker.dataset import load_dataset

    processor = AutoProcessor.from_pretrained(tiny["model"])
    image_id = processor.tokenizer.convert_tokens_to_ids("<image>")
    builder = PromptBuilder(processor, "<image>", image_id)
    counter = ImageTokenCounter(processor, "<image>", image_id)
    assert counter.constant == 16  # (32 / 8)^2 patches, CLS dropped by the "default" strategy
    samples = load_dataset(DatasetSettings(str(tiny["data"])), seed=0).train[:3]
    batch = VisionChatCollator(builder, counter)(samples)
    ids, labels, mask = batch["input_ids"], batch["labels"], batch["attention_mask"]
    assert batch["pixel_values"].shape[0] == 3 and ids.shape == labels.shape
    for row, colour in enumerate(("red", "green", "blue")):
        learned = labels[row][labels[row] != -100]
        assert processor.tokenizer.decode(learned) == f"It is {colour}.</s>\n"
        assert int((ids[row] == image_id).sum()) == 16
        assert bool((labels[row][ids[row] == image_id] == -100).all())
        assert bool((labels[row][mask[row] == 0] == -100).all())


def test_train_saves_checkpoints_final_adapter_and_loss_falls(tiny):
    run_json = _write_run(tiny, "train")
    result = _train(run_json)
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = run_json.parent
    events = read_events(run_dir / "events.jsonl")
    types = [e["type"] for e in events]
    assert types[0] == "started" and types[-1] == "finished" and "error" not in types
    assert events[-1]["status"] == "finished" and events[-1]["step"] == 16
    losses = [e["scalars"]["loss"] for e in events if e["type"] == "log" and "loss" in e["scalars"]]
    assert len(losses) >= 10 and losses[-1] < 0.7 * losses[0], losses
    assert [e["step"] for e in events if e["type"] == "checkpoint"] == [8, 16]
    for step in (8, 16):
        assert (run_dir / f"checkpoint-{step}" / "adapter_model.safetensors").is_file()
        assert (run_dir / f"checkpoint-{step}" / "trainer_state.json").is_file()
    final = run_dir / "final"
    assert (final / "adapter_model.safetensors").is_file() and (final / "adapter_config.json").is_file()
    adapter = json.loads((final / "adapter_config.json").read_text())
    assert "multi_modal_projector" in adapter["modules_to_save"]
    assert adapter["target_modules"].startswith(".*language_model")
    card = (final / "README.md").read_text()
    assert card.startswith("---\nbase_model:") and "llava-studio" in card and "| lora r | 8 |" in card
    assert list((run_dir / "runs").glob("*/events.out.tfevents.*")), "TensorBoard files under runs/<time>_<host>/"
    assert "train.log" in [p.name for p in run_dir.iterdir()]
    progress = [e for e in events if e["type"] == "progress"]
    assert progress[-1]["step"] == 16 and progress[-1]["total"] == 16


def test_sigterm_saves_a_checkpoint_and_resume_finishes(tiny):
    run_json = _write_run(tiny, "stop", max_steps=100000, save_steps=100000, logging_steps=5)
    events_path = run_json.parent / "events.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "llava_studio_worker.train", "--config", str(run_json)],
                               env=worker_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while time.time() < deadline:
        if events_path.exists() and any(e["type"] == "progress" and e["step"] >= 3 for e in read_events(events_path)):
            break
        assert process.poll() is None, process.communicate()[1][-3000:]
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr[-3000:]
    events = read_events(events_path)
    assert events[-1]["type"] == "finished" and events[-1]["status"] == "stopped"
    saved = [e for e in events if e["type"] == "checkpoint"]
    assert saved, "a checkpoint event after SIGTERM"
    stopped_step = saved[-1]["step"]
    assert (Path(saved[-1]["path"]) / "adapter_model.safetensors").is_file()
    assert not (run_json.parent / "final").exists()

    config = json.loads(run_json.read_text())
    config["config"]["max_steps"] = stopped_step + 4
    run_json.write_text(json.dumps(config))
    resumed = _train(run_json, "--resume", "latest")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    after = read_events(events_path)[len(events):]
    assert after[0]["type"] == "started" and after[0]["resume_from"] == saved[-1]["path"]
    assert after[-1]["status"] == "finished" and after[-1]["step"] == stopped_step + 4
    assert min(e["step"] for e in after if e["type"] == "progress") > stopped_step


def test_projector_only_training_saves_and_resumes(tiny):
    run_json = _write_run(tiny, "projector", method="projector", max_steps=4, save_steps=2)
    first = _train(run_json)
    assert first.returncode == 0, first.stderr[-3000:]
    run_dir = run_json.parent
    assert (run_dir / "checkpoint-4" / "projector.safetensors").is_file()
    assert (run_dir / "final" / "projector.safetensors").is_file()
    assert "library_name: peft" not in (run_dir / "final" / "README.md").read_text()
    config = json.loads(run_json.read_text())
    config["config"]["max_steps"] = 6
    run_json.write_text(json.dumps(config))
    resumed = _train(run_json, "--resume", "checkpoint-4")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    events = read_events(run_dir / "events.jsonl")
    assert events[-1]["status"] == "finished" and events[-1]["step"] == 6


def test_serve_streams_tokens_from_the_trained_adapter(tiny):
    final = tiny["root"] / "train" / "final"
    if not final.is_dir():
        pytest.skip("needs the adapter from test_train_saves_checkpoints_final_adapter_and_loss_falls")
    process = subprocess.Popen([sys.executable, "-m", "llava_studio_worker.serve", "--model", str(tiny["model"]),
                                "--adapter", str(final), "--idle-timeout", "60"], env=worker_env(),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    request = {"id": "q1", "type": "generate", "images": [str(tiny["data"].parent / "green.png")],
               "messages": [{"role": "user", "content": [{"type": "image"},
                                                         {"type": "text", "text": "What colour is this picture?"}]}],
               "max_new_tokens": 8, "temperature": 0}
    process.stdin.write(json.dumps(request) + "\n")
    process.stdin.write(json.dumps({"type": "shutdown"}) + "\n")
    process.stdin.flush()
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    replies = [json.loads(line) for line in out.splitlines()]
    assert replies[0]["type"] == "ready" and replies[0]["adapter"] == str(final)
    texts = [r["text"] for r in replies if r["type"] == "token"]
    done = next(r for r in replies if r["type"] == "done")
    assert done["id"] == "q1" and 1 <= done["tokens"] <= 8 and done["ttft_ms"] > 0 and not done["cancelled"]
    assert "".join(texts).strip(), replies
    assert replies[-1] == {"type": "exit", "reason": "shutdown"}
