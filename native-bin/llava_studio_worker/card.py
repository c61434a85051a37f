"""The model card (README.md) written into <run>/final/ next to the adapter."""

from __future__ import annotations

import json
import os
import re

from .config import TrainConfig

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def _yaml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid YAML scalar, quoting included


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def hub_dataset_id(path: str) -> str | None:
    """A dataset path that looks like a Hub id and is not a local file ('org/name')."""
    return path if HUB_ID.match(path) and not os.path.exists(path) else None


def hyperparameters(config: TrainConfig, precision: str) -> list[tuple[str, str]]:
    rows = [("method", config.method)]
    if config.lora is not None:
        rows += [("lora r", str(config.lora.r)), ("lora alpha", _number(config.lora.alpha)),
                 ("lora dropout", _number(config.lora.dropout)), ("lora targets", f"`{config.lora.target_regex}`")]
    rows += [
        ("learning rate", _number(config.lr)), ("projector learning rate", _number(config.projector_lr)),
        ("epochs", _number(config.epochs)), ("max steps", str(config.max_steps)),
        ("batch per device", str(config.per_device_batch)), ("gradient accumulation", str(config.grad_accum)),
        ("scheduler", config.scheduler), ("warmup ratio", _number(config.warmup_ratio)),
        ("max length", str(config.max_length)), ("precision", precision),
        ("gradient checkpointing", str(config.gradient_checkpointing).lower()),
        ("max grad norm", _number(config.max_grad_norm)), ("optimizer", config.optim), ("seed", str(config.seed)),
    ]
    return rows


def model_card(config: TrainConfig, precision: str, metrics: dict, data_summary: dict | None = None,
               name: str = "") -> str:
    base_type = "qlora" if config.method == "qlora" else "lora" if config.method == "lora" else "projector"
    tags = ["llava-studio", base_type, "image-text-to-text", "vision-language"]
    lines = ["---", f"base_model: {_yaml_str(config.model)}"]
    if config.method != "projector":
        lines.append("library_name: peft")
    lines += ["pipeline_tag: image-text-to-text", "tags:"] + [f"- {tag}" for tag in tags]
    dataset_id = hub_dataset_id(config.dataset.path)
    if dataset_id:
        lines += ["datasets:", f"- {_yaml_str(dataset_id)}"]
    lines += ["---", "", f"# {name or os.path.basename(config.output_dir)}", ""]
    what = "A LoRA adapter (language model only) with a fully trained multimodal projector" \
        if config.method != "projector" else "A trained multimodal projector"
    lines += [f"{what} for `{config.model}`, trained with LLaVA Studio on assistant tokens only "
              "(prompts, image tokens and padding carry no loss).", ""]
    lines += ["## Training data", "", f"- dataset: `{dataset_id or os.path.basename(config.dataset.path)}`"]
    for key, value in (data_summary or {}).items():
        if isinstance(value, (int, float)):
            lines.append(f"- {key.replace('_', ' ')}: {_number(value)}")
    lines += ["", "## Hyperparameters", "", "| setting | value |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in hyperparameters(config, precision)]
    lines += ["", "## Final metrics", ""]
    shown = {k: v for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    if shown:
        lines += ["| metric | value |", "| --- | --- |"] + [f"| {k} | {_number(v)} |" for k, v in sorted(shown.items())]
    else:
        lines.append("No metrics were recorded.")
    if config.method != "projector":
        lines += ["", "## Use", "", "```python", "import torch",
                  "from peft import PeftModel",
                  "from transformers import AutoModelForImageTextToText, AutoProcessor", "",
                  f"base = AutoModelForImageTextToText.from_pretrained({config.model!r}, dtype=torch.bfloat16)",
                  "model = PeftModel.from_pretrained(base, \"<this folder or repo>\")",
                  "processor = AutoProcessor.from_pretrained(\"<this folder or repo>\")", "```"]
    return "\n".join(lines) + "\n"
