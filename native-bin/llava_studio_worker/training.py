"""One training run on the Hugging Face stack (imported only after the dependency check)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from .callbacks import ProgressLogic, trainer_callbacks
from .card import model_card
from .collate import ImageTokenCounter, PromptBuilder, VisionChatCollator, filter_by_length, sample_length
from .config import RunFile
from .dataset import DropLog, load_dataset
from .events import EventWriter
from .logs import quiet_transformers_defaults
from .model_setup import (choose_precision, image_token_of, load_model, load_processor, make_trainable,
                          parameter_counts)
from .stop import StopRequest
from .trainer_setup import build_training_arguments, save_projector, tensorboard_dir, trainer_class

log = logging.getLogger("llava_studio_worker")


@dataclass
class Outcome:
    status: str  # "finished" | "stopped"
    step: int = 0
    metrics: dict = field(default_factory=dict)
    final_dir: str | None = None
    checkpoint: str | None = None


class BadImageWarning:
    """Collator hook (picklable, for DataLoader workers): a sample whose image failed to open."""

    def __init__(self, events: EventWriter):
        self.events = events

    def __call__(self, sample, error: Exception) -> None:
        log.warning("row %s: image failed to open (%s); sample skipped", sample.index, error)
        self.events.warning(f"row {sample.index}: image failed to open, sample skipped", str(error))


class SampleList:
    """A map-style dataset over canonical samples (what the DataLoader indexes)."""

    def __init__(self, samples):
        self.samples = samples

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        return self.samples[index]


def _report_drops(events: EventWriter, drops: DropLog, what: str) -> None:
    if drops.total:
        log.warning("%s: %d rows left out: %s", what, drops.total, drops.summary())
        events.warning(f"{drops.total} {what} rows left out", "see train.log; --validate-only lists them",
                       count=drops.total, rows=drops.summary())


def wait_for_jit_checkpoint(trainer, timeout: float = 600) -> None:
    """Some transformers versions write the SIGTERM checkpoint from a background thread: let it finish."""
    for callback in trainer.callback_handler.callbacks:
        manager = getattr(callback, "jit_manager", None)
        thread = getattr(manager, "checkpoint_thread", None)
        if thread is not None and thread.is_alive():
            log.info("waiting for the JIT checkpoint to be written")
            thread.join(timeout)


def run_training(run: RunFile, events: EventWriter, stop: StopRequest, resume_from: str | None) -> Outcome:
    import torch
    from transformers import set_seed

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # DataLoader workers fork after tokenizing
    quiet_transformers_defaults()
    config = run.config
    set_seed(config.seed)
    cuda = torch.cuda.is_available()
    device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if cuda else "cpu"
    precision = choose_precision(config.bf16, cuda, cuda and torch.cuda.is_bf16_supported())
    if precision.note:
        events.warning(precision.note)
    log.info("device %s, precision %s", device, precision.name)

    data = load_dataset(config.dataset, config.seed)
    _report_drops(events, data.dropped, "dataset")
    processor = load_processor(config.model)
    model = load_model(config, precision, device)
    image_token, image_token_id = image_token_of(processor, model)
    model, lora_report = make_trainable(model, config, precision)
    counts = parameter_counts(model)
    log.info("trainable parameters: %s; %s", counts, lora_report)
    if lora_report.get("lora_modules_in_vision_tower"):
        events.warning(f"LoRA targets {lora_report['lora_modules_in_vision_tower']} vision-tower modules",
                       "config.lora.target_regex should match language_model modules only")

    builder = PromptBuilder(processor, image_token, image_token_id)
    counter = ImageTokenCounter(processor, image_token, image_token_id)
    measure = sample_length(builder, counter)
    length_drops = DropLog()
    train, lengths = filter_by_length(data.train, measure, config.max_length, length_drops)
    evals, _ = filter_by_length(data.eval, measure, config.max_length, length_drops)
    _report_drops(events, length_drops, "over-long or unlabelable")
    if not train:
        from .errors import DataError

        raise DataError("no training sample fits config.max_length", "raise max_length or shorten the samples")
    log.info("samples: train %d (max %d tokens), eval %d", len(train), max(lengths), len(evals))

    os.environ["TENSORBOARD_LOGGING_DIR"] = tensorboard_dir(config.output_dir)
    args = build_training_arguments(config, precision, bool(evals), cuda)
    collator = VisionChatCollator(builder, counter, on_bad_image=BadImageWarning(events))
    progress = ProgressLogic(events, config.output_dir)
    cls = trainer_class(projector_only=config.method == "projector")
    cls.projector_lr = config.projector_lr
    trainer = cls(model=model, args=args, train_dataset=SampleList(train),
                  eval_dataset=SampleList(evals) if evals else None, data_collator=collator,
                  processing_class=processor, callbacks=trainer_callbacks(progress, stop))
    stop.chain_in_front()  # the JIT checkpoint handler (if any) was installed by Trainer.__init__
    if stop.requested:
        return Outcome("stopped")

    result = trainer.train(resume_from_checkpoint=resume_from)
    if stop.requested:
        wait_for_jit_checkpoint(trainer)
    progress.report_unseen_checkpoints()
    state = trainer.state
    metrics = dict(result.metrics)
    if stop.requested and state.global_step < state.max_steps:
        from .checkpoints import list_checkpoints

        latest = list_checkpoints(config.output_dir)
        return Outcome("stopped", state.global_step, metrics, checkpoint=latest[-1][1] if latest else None)
    if evals:
        metrics.update(trainer.evaluate())
    final_dir = os.path.join(config.output_dir, "final")
    if not trainer.is_world_process_zero():
        return Outcome("finished", state.global_step, metrics, final_dir)
    if config.method == "projector":
        save_projector(trainer.model, final_dir)
    else:
        trainer.model.save_pretrained(final_dir)
    processor.save_pretrained(final_dir)
    with open(os.path.join(final_dir, "README.md"), "w", encoding="utf-8") as card:
        card.write(model_card(config, precision.name, metrics,
                              {"train_samples": len(train), "eval_samples": len(evals),
                               "rows_left_out": data.dropped.total + length_drops.total}, run.name))
    return Outcome("finished", state.global_step, metrics, final_dir)
