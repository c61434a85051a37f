"""Loading the processor and model, and making the right parts trainable (transformers 5.x + PEFT).

- `AutoModelForImageTextToText` with an explicit dtype (v5 defaults to "auto", and llava-1.5
  declares fp16); bf16 where the GPU supports it, else fp16 (with a warning), fp32 on request/CPU.
- QLoRA = nf4 + double quantization + bf16 compute, only when bitsandbytes imports.
- LoRA on the language model only (regex on `language_model`), the projector trained in full via
  `modules_to_save`, gradient checkpointing with input gradients enabled.
- QLoRA without peft's prepare_model_for_kbit_training: it upcasts every weight that is not 4-bit to
  fp32, the frozen CLIP tower, embeddings and lm_head included (≈ +1.2 GB on LLaVA-1.5-7B, for frozen
  weights that autocast runs in bf16 anyway). `prepare_kbit` does the part we need: freeze, and the
  language model's norms in fp32; input gradients and checkpointing are set up for every method.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Iterable

from .config import TrainConfig
from .errors import ConfigError, WorkerError, missing_dependency

log = logging.getLogger("llava_studio_worker")

PROJECTOR = "multi_modal_projector"
VISION_TOWER = "vision_tower"
LANGUAGE_MODEL = "language_model"
# A norm's parameter: the last module name has "norm" in it (input_layernorm, norm, q_norm) or starts with "ln".
_NORM_PARAM = re.compile(r"(?:^|\.)(?:[^.]*norm[^.]*|ln[^.]*)\.(?:weight|bias)$")
_HALF = ("torch.float16", "torch.bfloat16")


@dataclass
class Precision:
    name: str  # "bf16" | "fp16" | "fp32"
    note: str = ""

    @property
    def torch_dtype(self):
        import torch

        return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[self.name]


def choose_precision(want_bf16: bool, cuda: bool, bf16_supported: bool) -> Precision:
    if not want_bf16:
        return Precision("fp32")
    if not cuda:
        return Precision("fp32", "no CUDA device: training in fp32 on the CPU")
    if bf16_supported:
        return Precision("bf16")
    return Precision("fp16", "this GPU has no bf16: training in fp16 with loss scaling")


def select_lora_targets(module_names: Iterable[str], regex: str) -> list[str]:
    """The module names PEFT will wrap: it uses re.fullmatch on each name when target_modules is a str."""
    pattern = re.compile(regex)
    return [name for name in module_names if pattern.fullmatch(name)]


def trainable_groups(named_parameters: Iterable, lr: float, projector_lr: float) -> list[dict]:
    """Optimizer parameter groups: the projector at its own learning rate, everything else at lr."""
    projector, others = [], []
    for name, parameter in named_parameters:
        if parameter.requires_grad:
            (projector if PROJECTOR in name else others).append(parameter)
    groups = []
    if others:
        groups.append({"params": others, "lr": lr, "name": "lora"})
    if projector:
        groups.append({"params": projector, "lr": projector_lr, "name": "projector"})
    return groups


def load_processor(model_id: str):
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(model_id)
    tokenizer = getattr(processor, "tokenizer", None)
    if tokenizer is None or getattr(processor, "image_processor", None) is None:
        raise ConfigError(f"{model_id}: the processor has no tokenizer or image processor",
                          "use a vision-language model folder with preprocessor_config.json and a tokenizer")
    tokenizer.padding_side = "right"  # training: labels and positions line up left-aligned
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.unk_token or tokenizer.eos_token
    if not getattr(processor, "chat_template", None) and not getattr(tokenizer, "chat_template", None):
        raise ConfigError(f"{model_id}: no chat template in the processor or tokenizer",
                          "add chat_template.jinja (or chat_template in tokenizer_config.json) to the model folder")
    return processor


def image_token_of(processor, model) -> tuple[str, int]:
    token = getattr(processor, "image_token", None) or "<image>"
    token_id = getattr(model.config, "image_token_id", None)
    if token_id is None:
        token_id = getattr(model.config, "image_token_index", None)
    if token_id is None:
        token_id = processor.tokenizer.convert_tokens_to_ids(token)
    return token, int(token_id)


def _quantization_config(torch):
    import importlib.util

    if importlib.util.find_spec("bitsandbytes") is None:
        raise missing_dependency("bitsandbytes")
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
        # The projector is trained in full and the vision tower stays exact: quantize the LM only.
        llm_int8_skip_modules=[VISION_TOWER, PROJECTOR, "lm_head"],
    )


def load_model(config: TrainConfig, precision: Precision, device: str):
    import torch
    from transformers import AutoModelForImageTextToText

    kwargs = {"dtype": precision.torch_dtype}
    if device.startswith("cuda"):
        kwargs["device_map"] = {"": device}  # load straight onto this process's GPU
    if config.method == "qlora":
        if not device.startswith("cuda"):
            raise WorkerError("method qlora needs a CUDA GPU", "use method lora on this machine", 2)
        kwargs["quantization_config"] = _quantization_config(torch)
        kwargs["dtype"] = torch.bfloat16
    model = AutoModelForImageTextToText.from_pretrained(config.model, **kwargs)
    model.config.use_cache = False  # the KV cache is useless in training and breaks checkpointing
    return model


def kbit_fp32_names(named_parameters: Iterable) -> list[str]:
    """The parameters QLoRA keeps in fp32: the language model's 16-bit norms, nothing in the vision tower."""
    return [name for name, parameter in named_parameters
            if f"{LANGUAGE_MODEL}." in name and VISION_TOWER not in name and _NORM_PARAM.search(name)
            and str(getattr(parameter, "dtype", "")) in _HALF and type(parameter).__name__ != "Params4bit"]


def prepare_kbit(model) -> list[str]:
    """Freeze a 4-bit model and put the language model's norms in fp32; returns their names."""
    for parameter in model.parameters():
        parameter.requires_grad = False
    params = dict(model.named_parameters())
    names = kbit_fp32_names(params.items())
    for name in names:
        params[name].data = params[name].data.float()
    return names


def _upcast_trainable(model) -> None:
    """Trainable weights in fp32: AdamW on bf16 weights loses small updates, and fp16 AMP requires it."""
    import torch

    for parameter in model.parameters():
        if parameter.requires_grad and parameter.dtype != torch.float32:
            parameter.data = parameter.data.float()


def make_trainable(model, config: TrainConfig, precision: Precision):
    """Wrap in PEFT (lora/qlora) or unfreeze the projector only; returns (model, report dict)."""
    if config.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()  # so checkpointed blocks see inputs that need grad
    names = [name for name, _ in model.named_modules()]
    if not any(name.endswith(PROJECTOR) for name in names):
        raise ConfigError(f"{config.model}: no {PROJECTOR} module", "this trainer expects a LLaVA-style model")
    if config.method == "projector":
        for name, parameter in model.named_parameters():
            parameter.requires_grad = PROJECTOR in name
        _upcast_trainable(model)
        return model, {"lora_modules": 0}

    from peft import LoraConfig, get_peft_model

    assert config.lora is not None
    targets = select_lora_targets(names, config.lora.target_regex)
    if not targets:
        raise ConfigError(f"config.lora.target_regex matches no module of {config.model}",
                          f"module names look like {names[len(names) // 2]!r}")
    in_vision = [t for t in targets if VISION_TOWER in t]
    fp32_norms = prepare_kbit(model) if config.method == "qlora" else []
    lora = LoraConfig(r=config.lora.r, lora_alpha=config.lora.alpha, lora_dropout=config.lora.dropout,
                      target_modules=config.lora.target_regex, modules_to_save=[PROJECTOR],
                      bias="none", task_type="CAUSAL_LM")
    model = get_peft_model(model, lora)
    _upcast_trainable(model)
    return model, {"lora_modules": len(targets), "lora_modules_in_vision_tower": len(in_vision),
                   **({"fp32_norms": len(fp32_norms)} if config.method == "qlora" else {})}


def parameter_counts(model) -> dict:
    total = trainable = projector = 0
    for name, parameter in model.named_parameters():
        count = parameter.numel()
        total += count
        if parameter.requires_grad:
            trainable += count
            projector += count if PROJECTOR in name else 0
    return {"total": total, "trainable": trainable, "trainable_projector": projector}
