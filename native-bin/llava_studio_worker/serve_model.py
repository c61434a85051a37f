"""The serve backend on transformers: base model + optional PEFT adapter, streamed generation."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Callable

from .errors import EXIT_INVALID, WorkerError
from .images import ImageResolver, open_image
from .samples import RowError, count_image_parts, parse_messages

PROCESSOR_FILES = ("preprocessor_config.json", "processor_config.json")


def adapter_switch(model, adapter: str | None, is_lora: bool, request: dict):
    """The context a request generates in: `"use_adapter": false` switches a PEFT adapter off for it.

    One worker then answers for both the fine-tuned model and its base (a compare loads the base
    once). A projector has no off switch (its weights replaced the base's): such a request is refused.
    """
    use_adapter = request.get("use_adapter", True)
    if not isinstance(use_adapter, bool):
        raise WorkerError(f"use_adapter must be true or false, got {use_adapter!r}", "see the request format in serve.py",
                          EXIT_INVALID)
    if use_adapter or not adapter:
        return contextlib.nullcontext()
    if not is_lora:
        raise WorkerError(f"use_adapter false: the projector from {adapter} cannot be switched off",
                          "start a worker without --adapter for the base model", EXIT_INVALID)
    return model.disable_adapter()  # PeftModel's context manager


def _pick_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def _pick_dtype(dtype: str, device: str):
    import torch

    if dtype == "auto":
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[dtype]


class HFBackend:
    def __init__(self, model, processor, device: str, dtype, model_id: str, adapter: str | None):
        self.model = model
        self.processor = processor
        self.device = device
        self.dtype = dtype
        self.model_id = model_id
        self.adapter = adapter
        self.is_lora = bool(adapter) and os.path.isfile(os.path.join(adapter, "adapter_config.json"))
        self.resolver = ImageResolver(os.getcwd())

    @classmethod
    def load(cls, model_id: str, adapter: str | None, device: str = "auto", dtype: str = "auto") -> "HFBackend":
        from transformers import AutoModelForImageTextToText, AutoProcessor

        from .logs import quiet_transformers_defaults

        quiet_transformers_defaults()
        device = _pick_device(device)
        torch_dtype = _pick_dtype(dtype, device)
        if adapter and not os.path.isdir(adapter):
            raise WorkerError(f"--adapter {adapter}: not a folder", "pass a run's checkpoint-N or final folder",
                              EXIT_INVALID)
        has_processor = adapter and any(os.path.isfile(os.path.join(adapter, f)) for f in PROCESSOR_FILES)
        processor = AutoProcessor.from_pretrained(adapter if has_processor else model_id)
        model = AutoModelForImageTextToText.from_pretrained(model_id, dtype=torch_dtype)
        if adapter:
            model = cls._attach(model, adapter)
        model.to(device=device, dtype=torch_dtype)
        model.eval()
        return cls(model, processor, device, torch_dtype, model_id, adapter)

    @staticmethod
    def _attach(model, adapter: str):
        if os.path.isfile(os.path.join(adapter, "adapter_config.json")):
            from peft import PeftModel

            return PeftModel.from_pretrained(model, adapter)
        from .trainer_setup import PROJECTOR_FILE, load_projector

        if os.path.isfile(os.path.join(adapter, PROJECTOR_FILE)):
            load_projector(model, adapter)
            return model
        raise WorkerError(f"--adapter {adapter}: no adapter_config.json or {PROJECTOR_FILE}",
                          "pass a run's checkpoint-N or final folder", EXIT_INVALID)

    def describe(self) -> dict:
        return {"model": self.model_id, "adapter": self.adapter, "device": self.device,
                "dtype": str(self.dtype).replace("torch.", "")}

    def _inputs(self, request: dict):
        try:
            messages = parse_messages(request.get("messages"))
        except RowError as error:
            raise WorkerError(f"bad messages: {error}", "see the request format in serve.py", EXIT_INVALID) from None
        paths = request.get("images") or []
        if count_image_parts(messages) != len(paths):
            raise WorkerError(f"{count_image_parts(messages)} image parts but {len(paths)} images",
                              "give one path in images per {\"type\": \"image\"} part", EXIT_INVALID)
        try:
            images = [open_image(self.resolver(path)) for path in paths]
        except (OSError, ValueError, RowError) as error:
            raise WorkerError(f"image cannot be opened: {error}", "send absolute paths of local files",
                              EXIT_INVALID) from None
        text = self.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        text = text[0] if isinstance(text, list) else text
        bos = getattr(self.processor.tokenizer, "bos_token", None)
        inputs = self.processor(text=[text], images=images or None, return_tensors="pt",
                                add_special_tokens=not (bos and text.startswith(bos)))  # one BOS, as in training
        return inputs.to(self.device)

    def generate(self, request: dict, cancelled: Callable[[], bool], emit: Callable[[str], None]) -> dict:
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        started = time.monotonic()
        switch = adapter_switch(self.model, self.adapter, self.is_lora, request)  # refuses bad requests first
        inputs = self._inputs(request)
        if "pixel_values" in inputs:
            inputs["pixel_values"] = inputs["pixel_values"].to(self.dtype)

        class Counting(TextIteratorStreamer):
            generated = 0
            first_at: float | None = None

            def put(self, value):
                if not (self.skip_prompt and self.next_tokens_are_prompt):
                    self.generated += int(value.numel())
                    self.first_at = self.first_at or time.monotonic()
                super().put(value)

        class Cancel(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return cancelled()

        streamer = Counting(self.processor.tokenizer, skip_prompt=True, skip_special_tokens=True)
        temperature = float(request.get("temperature", 0.7) or 0)
        kwargs = dict(**inputs, streamer=streamer, stopping_criteria=StoppingCriteriaList([Cancel()]),
                      max_new_tokens=max(1, min(int(request.get("max_new_tokens", 512)), 8192)),
                      do_sample=temperature > 0)
        if temperature > 0:
            kwargs.update(temperature=temperature, top_p=float(request.get("top_p", 1.0)))
        failure: list[BaseException] = []

        def run() -> None:
            try:
                with switch:  # one request at a time (serve.py), so toggling the shared model is safe
                    self.model.generate(**kwargs)
            except BaseException as error:  # surfaced to the request below
                failure.append(error)
                streamer.end()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        for piece in streamer:
            if piece:
                emit(piece)
        thread.join()
        if failure:
            raise failure[0]
        ttft = None if streamer.first_at is None else round((streamer.first_at - started) * 1000, 1)
        return {"tokens": streamer.generated, "ttft_ms": ttft, "cancelled": cancelled()}
