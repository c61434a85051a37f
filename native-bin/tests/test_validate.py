import json
import subprocess
import sys
from pathlib import Path

from conftest import worker_env, write_jsonl, write_run


def validate(run_json: Path) -> tuple[int, dict, str]:
    # -X importtime is not needed: a module list printed at exit tells what got imported.
    code = ("import sys, runpy; sys.argv = ['train', '--config', %r, '--validate-only']\n"
            "try:\n    runpy.run_module('llava_studio_worker.train', run_name='__main__')\n"
            "except SystemExit as e:\n    code = e.code\n"
            "heavy = [m for m in ('torch', 'transformers', 'peft') if m in sys.modules]\n"
            "print('HEAVY', heavy, file=sys.stderr); sys.exit(code)") % str(run_json)
    result = subprocess.run([sys.executable, "-c", code], env=worker_env(), capture_output=True, text=True,
                            timeout=120)
    assert "HEAVY []" in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def test_validate_only_on_the_golden_llava_set(golden: Path, tmp_path: Path):
    folder = golden / "datasets/llava_format_lmms_finetune/example_data"
    run_json = write_run(tmp_path / "run", {
        "model": "llava-hf/llava-1.5-7b-hf", "method": "qlora",
        "dataset": {"path": str(folder / "single_image_has_text_only.json"), "format": "llava-json",
                    "images_dir": str(folder / "images"), "eval_ratio": 0.25}})
    code, summary, _ = validate(run_json)
    assert code == 0 and summary["ok"] is True and summary["errors"] == []
    assert summary["container"] == "json"
    data = summary["dataset"]
    assert (data["rows_read"], data["train_samples"], data["eval_samples"]) == (4, 3, 1)
    assert (data["images"], data["text_only_samples"], data["dropped"]) == (2, 2, 0)
    assert data["assistant_turns_max"] == 2
    assert summary["config"]["lora"]["r"] == 64 and summary["config"]["output_dir"] == str(tmp_path / "run")
    assert not (tmp_path / "run" / "events.jsonl").exists()  # validation writes nothing into the run


def test_validate_only_lists_rows_left_out(golden: Path, tmp_path: Path):
    folder = golden / "datasets/llava_format_lmms_finetune/example_data"
    run_json = write_run(tmp_path / "run", {"model": "m", "dataset": {"path": str(folder / "multi_images.json"),
                                                                      "images_dir": str(folder / "images")}})
    code, summary, _ = validate(run_json)
    assert code == 0
    assert summary["dataset"]["dropped_by_reason"] == [{"reason": "missing image", "count": 1, "rows": [1]}]
    assert summary["warnings"][0]["message"] == "1 rows would be left out"


def test_validate_only_fails_with_exit_2_on_an_unusable_dataset(tmp_path: Path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"messages": [{"role": "user", "content": "only a question"}]}])
    run_json = write_run(tmp_path / "run", {"model": "m", "dataset": {"path": str(data)}})
    code, summary, _ = validate(run_json)
    assert code == 2 and summary["ok"] is False
    assert summary["errors"][0]["message"].endswith("no usable rows (no assistant reply x1)")


def test_invalid_run_json_exits_2_and_names_the_field(tmp_path: Path):
    run_json = write_run(tmp_path / "run", {"model": "m", "dataset": {"path": "x"}, "lora": {"rank": 4}})
    result = subprocess.run([sys.executable, "-m", "llava_studio_worker.train", "--config", str(run_json),
                             "--validate-only"], env=worker_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "config.lora.rank: unknown field" in result.stderr
    assert not (tmp_path / "run" / "events.jsonl").exists()  # validation writes nothing into the run


def test_a_broken_run_json_gets_an_error_event_when_training(tmp_path: Path):
    run_json = write_run(tmp_path / "run", {"model": "m", "dataset": {"path": "x"}, "epochs": 0})
    result = subprocess.run([sys.executable, "-m", "llava_studio_worker.train", "--config", str(run_json)],
                            env=worker_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    from llava_studio_worker.events import read_events

    event = read_events(tmp_path / "run" / "events.jsonl")[-1]
    assert event["type"] == "error" and event["message"].startswith("config.epochs: expected a positive number")
