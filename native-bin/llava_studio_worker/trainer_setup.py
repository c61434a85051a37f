"""TrainingArguments for transformers 5.x and a Trainer with per-module learning rates.

On 5.17: `eval_strategy` (not evaluation_strategy); `warmup_ratio` and `logging_dir` were removed
in 5.15 (a float `warmup_steps` < 1 is a ratio; TensorBoard's folder comes from the
TENSORBOARD_LOGGING_DIR environment variable); `report_to` defaults to "none";
`remove_unused_columns=False` keeps our collator's inputs; `processing_class=` replaces `tokenizer=`.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import os
import socket
from datetime import datetime
from pathlib import Path

from .config import TrainConfig
from .loader_signals import guard_loader
from .model_setup import PROJECTOR, Precision, trainable_groups

log = logging.getLogger("llava_studio_worker")


def tensorboard_dir(run_dir: str, now: datetime | None = None) -> str:
    """runs/<Mon01_12-00-00>_<host>, the folder name HF's Trainer used to pick itself."""
    stamp = (now or datetime.now()).strftime("%b%d_%H-%M-%S")
    return str(Path(run_dir) / "runs" / f"{stamp}_{socket.gethostname()}")


def training_arguments_kwargs(config: TrainConfig, precision: Precision, has_eval: bool, cuda: bool,
                              available_fields: set[str]) -> dict:
    """Keyword arguments for TrainingArguments, limited to the fields this transformers has."""
    kwargs = dict(
        output_dir=config.output_dir,
        per_device_train_batch_size=config.per_device_batch,
        per_device_eval_batch_size=config.per_device_batch,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.lr,
        num_train_epochs=float(config.epochs),
        max_steps=config.max_steps,
        lr_scheduler_type=config.scheduler,
        warmup_steps=float(config.warmup_ratio) if config.warmup_ratio else 0,
        weight_decay=0.0,
        max_grad_norm=config.max_grad_norm,
        optim=config.optim if config.method == "qlora" else ("adamw_torch_fused" if cuda else "adamw_torch"),
        bf16=precision.name == "bf16",
        fp16=precision.name == "fp16",
        gradient_checkpointing=config.gradient_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False} if config.gradient_checkpointing else None,
        logging_strategy="steps",
        logging_steps=config.logging_steps,
        logging_first_step=True,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=(config.eval_steps or config.save_steps) if has_eval else None,
        report_to=["tensorboard"] if importlib.util.find_spec("tensorboard") else [],
        remove_unused_columns=False,
        label_names=["labels"],
        prediction_loss_only=True,  # evaluation keeps no logits (vocab x length x samples would fill the GPU)
        seed=config.seed,
        data_seed=config.seed,
        dataloader_num_workers=2 if cuda else 0,
        disable_tqdm=True,
        use_cpu=not cuda,
        enable_jit_checkpoint=True,  # v5: checkpoint on SIGTERM; dropped below where it does not exist
    )
    if "warmup_ratio" in available_fields and "logging_dir" in available_fields and kwargs["warmup_steps"]:
        # transformers < 5.15 read a float warmup_steps as a step count: use the old field there.
        kwargs["warmup_ratio"], kwargs["warmup_steps"] = kwargs["warmup_steps"], 0
    if "logging_dir" in available_fields:
        kwargs["logging_dir"] = os.environ.get("TENSORBOARD_LOGGING_DIR")
    if "eval_strategy" not in available_fields:
        kwargs["evaluation_strategy"] = kwargs.pop("eval_strategy")
    return {k: v for k, v in kwargs.items() if k in available_fields and v is not None}


def build_training_arguments(config: TrainConfig, precision: Precision, has_eval: bool, cuda: bool):
    from transformers import TrainingArguments

    names = {f.name for f in dataclasses.fields(TrainingArguments)}
    return TrainingArguments(**training_arguments_kwargs(config, precision, has_eval, cuda, names))


def trainer_class(projector_only: bool):
    """A Trainer whose optimizer has the projector in its own parameter group (own learning rate), and
    whose DataLoader workers ignore SIGTERM (loader_signals: a stop must reach the trainer, not kill them)."""
    from transformers import Trainer

    class StudioTrainer(Trainer):
        projector_lr: float = 2e-5

        def get_train_dataloader(self, *args, **kwargs):
            return guard_loader(super().get_train_dataloader(*args, **kwargs))

        def get_eval_dataloader(self, *args, **kwargs):
            return guard_loader(super().get_eval_dataloader(*args, **kwargs))

        def create_optimizer(self, model=None):
            # transformers 5 passes the (possibly FSDP-wrapped) model and uses the return value.
            if self.optimizer is not None:
                return self.optimizer
            model = self.model if model is None else model
            try:  # the optimizer `args.optim` names (AdamW, fused AdamW, bitsandbytes paged AdamW...)
                optimizer_cls, optimizer_kwargs = self.get_optimizer_cls_and_kwargs(self.args, model)
            except TypeError:  # older signature without the model
                optimizer_cls, optimizer_kwargs = self.get_optimizer_cls_and_kwargs(self.args)
            optimizer_kwargs = {k: v for k, v in optimizer_kwargs.items() if k != "lr"}
            groups = trainable_groups(model.named_parameters(), self.args.learning_rate, self.projector_lr)
            for group in groups:
                group.pop("name")
                group["weight_decay"] = self.args.weight_decay  # torch's AdamW would default to 0.01
            self.optimizer = optimizer_cls(groups, lr=self.args.learning_rate, **optimizer_kwargs)
            return self.optimizer

        def _save(self, output_dir=None, state_dict=None):
            if not projector_only:
                return super()._save(output_dir, state_dict)
            import torch

            folder = output_dir or self.args.output_dir
            save_projector(self.model, folder)
            if self.processing_class is not None:
                self.processing_class.save_pretrained(folder)
            torch.save(self.args, os.path.join(folder, "training_args.bin"))

        def _load_from_checkpoint(self, resume_from_checkpoint, model=None):
            if not projector_only:
                return super()._load_from_checkpoint(resume_from_checkpoint, model)
            load_projector(model or self.model, resume_from_checkpoint)

    return StudioTrainer


PROJECTOR_FILE = "projector.safetensors"


def save_projector(model, folder: str) -> str:
    from safetensors.torch import save_file

    os.makedirs(folder, exist_ok=True)
    tensors = {name: p.detach().cpu().contiguous() for name, p in model.named_parameters() if PROJECTOR in name}
    path = os.path.join(folder, PROJECTOR_FILE)
    save_file(tensors, path)
    return path


def load_projector(model, folder: str) -> None:
    from safetensors.torch import load_file

    tensors = load_file(os.path.join(folder, PROJECTOR_FILE))
    params = dict(model.named_parameters())
    missing = [name for name in tensors if name not in params]
    if missing:
        raise ValueError(f"{folder}: {PROJECTOR_FILE} has weights this model lacks: {missing[:3]}")
    for name, tensor in tensors.items():
        params[name].data.copy_(tensor.to(params[name].device, params[name].dtype))
