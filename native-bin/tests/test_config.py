import json
from pathlib import Path

import pytest

from llava_studio_worker.config import LM_TARGET_REGEX, TrainConfig, load_run_file, parse_run_file
from llava_studio_worker.errors import ConfigError

BASE = {"model": "llava-hf/llava-1.5-7b-hf", "dataset": {"path": "data.jsonl"}, "output_dir": "/tmp/run-a"}


def config(**changes):
    raw = json.loads(json.dumps(BASE))
    for key, value in changes.items():
        raw[key] = value
    return raw


def test_defaults_are_the_llava_lora_reference_settings():
    c = TrainConfig.from_dict(config())
    assert (c.method, c.lora.r, c.lora.alpha, c.lr, c.projector_lr) == ("lora", 128, 256, 2e-4, 2e-5)
    assert (c.scheduler, c.warmup_ratio, c.bf16, c.gradient_checkpointing) == ("cosine", 0.03, True, True)
    assert c.lora.target_regex == LM_TARGET_REGEX
    assert (c.max_grad_norm, c.optim, c.max_steps, c.push) == (1.0, "adamw_torch", -1, None)


def test_qlora_defaults():
    c = TrainConfig.from_dict(config(method="qlora"))
    assert (c.lora.r, c.lora.alpha, c.lr, c.max_grad_norm, c.optim) == (64, 16, 2e-4, 0.3, "paged_adamw_32bit")


def test_projector_method_has_no_lora_and_a_higher_projector_lr():
    c = TrainConfig.from_dict(config(method="projector", lora={"r": 8}))
    assert c.lora is None and c.projector_lr == 1e-3


def test_partial_lora_keeps_method_defaults_for_the_rest():
    c = TrainConfig.from_dict(config(lora={"r": 16}))
    assert (c.lora.r, c.lora.alpha, c.lora.dropout) == (16, 256, 0.05)


def test_nulls_mean_defaults():
    c = TrainConfig.from_dict(config(max_steps=None, lr=None, projector_lr=None, eval_steps=None, push=None))
    assert (c.max_steps, c.lr, c.projector_lr, c.eval_steps) == (-1, 2e-4, 2e-5, None)


def test_push_settings():
    c = TrainConfig.from_dict(config(push={"repo_id": "me/my-adapter"}))
    assert (c.push.repo_id, c.push.private) == ("me/my-adapter", True)


@pytest.mark.parametrize("changes, field", [
    ({"learning_rate": 1e-4}, "config.learning_rate: unknown field"),
    ({"lora": {"rank": 8}}, "config.lora.rank: unknown field"),
    ({"dataset": {"path": "x", "fromat": "auto"}}, "config.dataset.fromat: unknown field"),
    ({"method": "full"}, "config.method: expected lora | qlora | projector"),
    ({"lr": 0}, "config.lr: expected a learning rate"),
    ({"lr": "2e-4"}, "config.lr: expected a learning rate"),
    ({"epochs": -1}, "config.epochs"),
    ({"max_steps": 0}, "config.max_steps"),
    ({"per_device_batch": 2.5}, "config.per_device_batch: expected a positive integer"),
    ({"grad_accum": True}, "config.grad_accum: expected a positive integer"),
    ({"warmup_ratio": 1.5}, "config.warmup_ratio"),
    ({"scheduler": "onecycle"}, "config.scheduler"),
    ({"bf16": "yes"}, "config.bf16: expected true or false"),
    ({"lora": {"r": 0}}, "config.lora.r: expected a positive integer"),
    ({"lora": {"dropout": 1}}, "config.lora.dropout"),
    ({"lora": {"target_regex": "(("}}, "config.lora.target_regex: not a valid regular expression"),
    ({"dataset": {"path": "x", "format": "csv"}}, "config.dataset.format"),
    ({"dataset": {"path": "x", "eval_ratio": 0.1, "eval_path": "y"}}, "eval_path or eval_ratio"),
    ({"dataset": {}}, "config.dataset.path"),
    ({"push": {"repo_id": "no-owner"}}, "config.push.repo_id"),
    ({"save_total_limit": 0}, "config.save_total_limit"),
    ({"model": ""}, "config.model"),
])
def test_invalid_values_name_the_field(changes, field):
    with pytest.raises(ConfigError) as error:
        TrainConfig.from_dict(config(**changes))
    assert field in error.value.message


def test_missing_required_field():
    raw = config()
    del raw["model"]
    with pytest.raises(ConfigError, match="config.model: missing"):
        TrainConfig.from_dict(raw)


def test_run_file_resolves_paths_against_its_folder(tmp_path: Path):
    (tmp_path / "models" / "tiny").mkdir(parents=True)
    raw = {"version": 1, "name": "r1", "status": "queued", "plan": {"kind": "python"}, "pid": 12,
           "host": "h", "startedAt": 1730000000000, "extra_key_from_supervisor": True,
           "config": {"model": "models/tiny", "dataset": {"path": "data/train.jsonl", "images_dir": "imgs"},
                      "output_dir": "."}}
    run = parse_run_file(raw, tmp_path / "run.json")
    assert run.config.model == str(tmp_path / "models" / "tiny")
    assert run.config.dataset.path == str(tmp_path / "data" / "train.jsonl")
    assert run.config.dataset.images_dir == str(tmp_path / "imgs")
    assert run.config.output_dir == str(tmp_path)
    assert (run.name, run.pid, run.host, run.plan) == ("r1", 12, "h", {"kind": "python"})


def test_hub_model_ids_are_left_alone_and_output_dir_defaults_to_the_run_folder(tmp_path: Path):
    raw = {"version": 1, "config": {"model": "llava-hf/llava-1.5-7b-hf", "dataset": {"path": "/abs/d.json"}}}
    run = parse_run_file(raw, tmp_path / "run.json")
    assert run.config.model == "llava-hf/llava-1.5-7b-hf"
    assert run.config.output_dir == str(tmp_path)
    assert run.name == tmp_path.name


@pytest.mark.parametrize("text, message", [
    ('{"version": 2, "config": {}}', "version: expected 1, got 2"),
    ('[1]', "expected a JSON object"),
    ('{"version": 1,', "not valid JSON (line 1"),
])
def test_bad_run_files(tmp_path: Path, text, message):
    path = tmp_path / "run.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_run_file(path)


def test_unreadable_run_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_run_file(tmp_path / "nope.json")
