"""run.json: the run file the extension writes and the worker reads.

    {"version": 1, "name": "...", "status": "...", "config": {...}, "plan": {...},
     "pid": 123, "host": "...", "startedAt": 1730000000000}

`config` is parsed into `TrainConfig`; unknown keys inside it are errors (a typo must not
silently fall back to a default). Top-level keys other than the ones above are ignored: the
supervisor owns the file and may add its own. Relative paths resolve against run.json's folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

METHODS = ("lora", "qlora", "projector")
FORMATS = ("auto", "llava-json", "llava-jsonl", "messages-json", "messages-jsonl", "hf-parquet", "hf-arrow")
SCHEDULERS = ("cosine", "linear", "constant", "constant_with_warmup", "cosine_with_restarts", "polynomial")

# LoRA on the language model's attention and MLP projections only: the vision tower also has
# q_proj/k_proj/v_proj, and `exclude_modules=["vision_tower"]` would not exclude its inner layers.
LM_TARGET_REGEX = r".*language_model.*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)"

# Reference settings: LLaVA-1.5 LoRA (r=128, alpha=256) and QLoRA (r=64, alpha=16).
LORA_DEFAULTS = {
    "lora": {"r": 128, "alpha": 256, "dropout": 0.05, "target_regex": LM_TARGET_REGEX},
    "qlora": {"r": 64, "alpha": 16, "dropout": 0.05, "target_regex": LM_TARGET_REGEX},
}
# Projector-only training (LLaVA stage 1) uses a much higher projector learning rate.
PROJECTOR_LR_DEFAULTS = {"lora": 2e-5, "qlora": 2e-5, "projector": 1e-3}


def _fail(where: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(f"{where}: expected {expected}, got {json.dumps(value)[:80]}")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_keys(raw: Any, cls: type, where: str, partial: bool = False) -> dict:
    if not isinstance(raw, dict):
        raise _fail(where, "an object", raw)
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown field (known: {', '.join(sorted(known))})")
    for f in () if partial else fields(cls):
        if f.default is MISSING and f.default_factory is MISSING and raw.get(f.name) is None:
            raise ConfigError(f"{where}.{f.name}: missing")
    return raw


@dataclass
class LoraSettings:
    r: int
    alpha: float
    dropout: float
    target_regex: str

    def __post_init__(self) -> None:
        w = "config.lora"
        if not _is_int(self.r) or self.r <= 0:
            raise _fail(f"{w}.r", "a positive integer", self.r)
        if not _is_num(self.alpha) or self.alpha <= 0:
            raise _fail(f"{w}.alpha", "a positive number", self.alpha)
        if not _is_num(self.dropout) or not 0 <= self.dropout < 1:
            raise _fail(f"{w}.dropout", "a number in [0, 1)", self.dropout)
        if not isinstance(self.target_regex, str) or not self.target_regex:
            raise _fail(f"{w}.target_regex", "a non-empty regular expression", self.target_regex)
        import re

        try:
            re.compile(self.target_regex)
        except re.error as error:
            raise ConfigError(f"{w}.target_regex: not a valid regular expression ({error})") from None


@dataclass
class DatasetSettings:
    path: str
    format: str = "auto"
    images_dir: str | None = None
    eval_path: str | None = None
    eval_ratio: float = 0.0

    def __post_init__(self) -> None:
        w = "config.dataset"
        if not isinstance(self.path, str) or not self.path:
            raise _fail(f"{w}.path", "a dataset file or folder path", self.path)
        if self.format not in FORMATS:
            raise _fail(f"{w}.format", " | ".join(FORMATS), self.format)
        for name in ("images_dir", "eval_path"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise _fail(f"{w}.{name}", "a path or null", value)
        if not _is_num(self.eval_ratio) or not 0 <= self.eval_ratio < 1:
            raise _fail(f"{w}.eval_ratio", "a number in [0, 1)", self.eval_ratio)
        if self.eval_path and self.eval_ratio:
            raise ConfigError(f"{w}: give eval_path or eval_ratio, not both")


@dataclass
class PushSettings:
    repo_id: str
    private: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.repo_id, str) or self.repo_id.count("/") != 1 or " " in self.repo_id:
            raise _fail("config.push.repo_id", 'a Hub repo id "owner/name"', self.repo_id)
        if not isinstance(self.private, bool):
            raise _fail("config.push.private", "true or false", self.private)


@dataclass
class TrainConfig:
    model: str
    dataset: DatasetSettings
    output_dir: str
    method: str = "lora"
    lora: LoraSettings | None = None
    lr: float = 2e-4
    projector_lr: float | None = None
    epochs: float = 1.0
    max_steps: int = -1
    per_device_batch: int = 4
    grad_accum: int = 4
    warmup_ratio: float = 0.03
    scheduler: str = "cosine"
    max_length: int = 2048
    gradient_checkpointing: bool = True
    eval_steps: int | None = None
    save_steps: int = 200
    logging_steps: int = 10
    save_total_limit: int | None = 3
    seed: int = 42
    bf16: bool = True
    push: PushSettings | None = None

    def __post_init__(self) -> None:
        w = "config"
        if not isinstance(self.model, str) or not self.model:
            raise _fail(f"{w}.model", "a Hub model id or a model folder", self.model)
        if not isinstance(self.output_dir, str) or not self.output_dir:
            raise _fail(f"{w}.output_dir", "a folder path", self.output_dir)
        if self.method not in METHODS:
            raise _fail(f"{w}.method", " | ".join(METHODS), self.method)
        if self.projector_lr is None:
            self.projector_lr = PROJECTOR_LR_DEFAULTS[self.method]
        for name in ("lr", "projector_lr"):
            value = getattr(self, name)
            if not _is_num(value) or not 0 < value < 1:
                raise _fail(f"{w}.{name}", "a learning rate in (0, 1)", value)
        if not _is_num(self.epochs) or self.epochs <= 0:
            raise _fail(f"{w}.epochs", "a positive number", self.epochs)
        if not _is_int(self.max_steps) or (self.max_steps <= 0 and self.max_steps != -1):
            raise _fail(f"{w}.max_steps", "a positive integer, or -1 / null for epochs", self.max_steps)
        for name in ("per_device_batch", "grad_accum", "max_length", "save_steps", "logging_steps"):
            value = getattr(self, name)
            if not _is_int(value) or value <= 0:
                raise _fail(f"{w}.{name}", "a positive integer", value)
        for name in ("eval_steps", "save_total_limit"):
            value = getattr(self, name)
            if value is not None and (not _is_int(value) or value <= 0):
                raise _fail(f"{w}.{name}", "a positive integer or null", value)
        if not _is_num(self.warmup_ratio) or not 0 <= self.warmup_ratio < 1:
            raise _fail(f"{w}.warmup_ratio", "a number in [0, 1)", self.warmup_ratio)
        if self.scheduler not in SCHEDULERS:
            raise _fail(f"{w}.scheduler", " | ".join(SCHEDULERS), self.scheduler)
        if not _is_int(self.seed):
            raise _fail(f"{w}.seed", "an integer", self.seed)
        for name in ("gradient_checkpointing", "bf16"):
            if not isinstance(getattr(self, name), bool):
                raise _fail(f"{w}.{name}", "true or false", getattr(self, name))
        if self.method == "projector":
            self.lora = None
        elif self.lora is None:
            self.lora = LoraSettings(**LORA_DEFAULTS[self.method])

    @property
    def max_grad_norm(self) -> float:
        return 0.3 if self.method == "qlora" else 1.0

    @property
    def optim(self) -> str:
        return "paged_adamw_32bit" if self.method == "qlora" else "adamw_torch"

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Any) -> "TrainConfig":
        raw = dict(_check_keys(raw, cls, "config"))
        method = raw.get("method", "lora")
        raw["dataset"] = DatasetSettings(**_check_keys(raw["dataset"], DatasetSettings, "config.dataset"))
        if raw.get("lora") is not None and method in LORA_DEFAULTS:
            lora = _check_keys(raw["lora"], LoraSettings, "config.lora", partial=True)
            raw["lora"] = LoraSettings(**{**LORA_DEFAULTS[method], **lora})
        elif "lora" in raw:
            raw["lora"] = None
        if raw.get("push") is not None:
            push = _check_keys(raw["push"], PushSettings, "config.push")
            raw["push"] = PushSettings(**push)
        if raw.get("max_steps", -1) is None:
            raw["max_steps"] = -1
        # An explicit null means "use the default" for fields whose default is not null.
        nullable = {"projector_lr", "eval_steps", "save_total_limit", "lora", "push"}
        raw = {k: v for k, v in raw.items() if v is not None or k in nullable}
        return cls(**raw)


@dataclass
class RunFile:
    version: int
    name: str
    status: str
    config: TrainConfig
    plan: dict = field(default_factory=dict)
    pid: int | None = None
    host: str | None = None
    startedAt: float | str | None = None
    path: str = ""  # where run.json was read from (not a JSON field)

    @property
    def run_dir(self) -> str:
        return self.config.output_dir


def _resolve(base: Path, value: str | None) -> str | None:
    if value is None:
        return None
    expanded = os.path.expanduser(value)
    return str(Path(expanded) if os.path.isabs(expanded) else (base / expanded).resolve())


def parse_run_file(raw: Any, path: str | os.PathLike = "run.json") -> RunFile:
    """Validate a run.json object; relative paths resolve against the folder of `path`."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a JSON object")
    if raw.get("version") != 1:
        raise ConfigError(f"{path}: version: expected 1, got {json.dumps(raw.get('version'))}")
    base = Path(path).resolve().parent
    cfg_raw = raw.get("config")
    if isinstance(cfg_raw, dict) and cfg_raw.get("output_dir") in (None, ""):
        cfg_raw = {**cfg_raw, "output_dir": str(base)}  # run.json lives in its run folder
    config = TrainConfig.from_dict(cfg_raw)
    config.output_dir = _resolve(base, config.output_dir)
    ds = config.dataset
    ds.path, ds.images_dir, ds.eval_path = (_resolve(base, p) for p in (ds.path, ds.images_dir, ds.eval_path))
    local_model = _resolve(base, config.model)
    if config.model.startswith((".", "/", "~")) or os.path.isdir(local_model):
        config.model = local_model
    name = raw.get("name") or Path(config.output_dir).name
    plan = raw.get("plan") or {}
    if not isinstance(name, str) or not isinstance(plan, dict):
        raise ConfigError(f"{path}: name must be a string and plan an object")
    pid = raw.get("pid")
    host = raw.get("host")
    return RunFile(1, name, str(raw.get("status") or ""), config, plan,
                   pid if _is_int(pid) else None, host if isinstance(host, str) else None,
                   raw.get("startedAt"), str(path))


def load_run_file(path: str | os.PathLike) -> RunFile:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})", "check the --config path") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    return parse_run_file(raw, path)
