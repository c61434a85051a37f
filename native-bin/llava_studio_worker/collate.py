"""The training collator: chat template per sample, assistant-only labels, no truncation.

Also measures each sample's token length (text tokens + the image tokens each image expands to)
so that over-long rows are dropped before training instead of being cut mid-image.
"""

from __future__ import annotations

import logging
from typing import Callable

from .dataset import DropLog
from .images import image_size, open_image
from .samples import Sample
from .spans import IGNORE_INDEX, SpanError, align_labels, assistant_spans, close_spans, mask_labels

log = logging.getLogger("llava_studio_worker")


def _special_tokens(tokenizer, image_token: str) -> list[str]:
    tokens = set(getattr(tokenizer, "all_special_tokens", []) or [])
    for added in (getattr(tokenizer, "added_tokens_decoder", {}) or {}).values():
        if getattr(added, "special", False):
            tokens.add(str(added.content))
    tokens.discard(image_token)
    return sorted(tokens)


class PromptBuilder:
    """Renders a sample and tokenizes it unexpanded (one token per <image>), with its labels."""

    def __init__(self, processor, image_token: str, image_token_id: int):
        self.processor = processor
        self.tokenizer = getattr(processor, "tokenizer", processor)
        self.image_token = image_token
        self.image_token_id = image_token_id
        self.eos_token = getattr(self.tokenizer, "eos_token", None)
        self.special_tokens = _special_tokens(self.tokenizer, image_token)
        bos = getattr(self.tokenizer, "bos_token", None)
        probe = self.render([{"role": "user", "content": [{"type": "text", "text": "hi"}]}], True)
        # Templates that write the BOS themselves must not get a second one from the tokenizer.
        self.add_special_tokens = not (bos and probe.startswith(bos))

    def render(self, messages: list, add_generation_prompt: bool) -> str:
        text = self.processor.apply_chat_template(messages, add_generation_prompt=add_generation_prompt,
                                                  tokenize=False)
        return text[0] if isinstance(text, list) else text

    def build(self, sample: Sample) -> tuple[str, list[int], list[int]]:
        """(rendered text, unexpanded token ids, their labels)."""
        text, spans = assistant_spans(sample.messages, self.render)
        text, spans = close_spans(text, spans, self.eos_token, self.special_tokens)
        encoded = self.tokenizer(text, add_special_tokens=self.add_special_tokens, return_offsets_mapping=True)
        ids = list(encoded["input_ids"])
        labels = mask_labels(ids, encoded["offset_mapping"], spans, self.image_token_id)
        return text, ids, labels


class ImageTokenCounter:
    """How many image tokens the processor expands one image to (constant for fixed-size models)."""

    def __init__(self, processor, image_token: str, image_token_id: int):
        self.processor = processor
        self.image_token = image_token
        self.image_token_id = image_token_id
        self._by_size: dict[tuple[int, int], int] = {}
        counts = {self.for_size(size) for size in ((336, 336), (200, 640), (640, 200))}
        self.constant = counts.pop() if len(counts) == 1 else None

    def for_size(self, size: tuple[int, int]) -> int:
        if size not in self._by_size:
            from PIL import Image

            height, width = size
            blank = Image.new("RGB", (width, height), (127, 127, 127))
            out = self.processor(text=[self.image_token], images=[blank], add_special_tokens=False)
            ids = out["input_ids"][0]
            ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
            self._by_size[size] = ids.count(self.image_token_id)
        return self._by_size[size]

    def __call__(self, sample: Sample) -> int:
        if self.constant is not None:
            return self.constant * len(sample.images)
        return sum(self.for_size(image_size(ref)) for ref in sample.images)


def filter_by_length(samples: list[Sample], measure: Callable[[Sample], int], max_length: int,
                     drops: DropLog) -> tuple[list[Sample], list[int]]:
    """Keep samples whose full length fits; count the rest (never truncate a VLM sample)."""
    kept, lengths = [], []
    for sample in samples:
        try:
            length = measure(sample)
        except SpanError as error:
            drops.add("assistant span not found", sample.index)
            log.warning("row %s: %s", sample.index, error)
            continue
        except (OSError, ValueError) as error:
            drops.add("unreadable image", sample.index)
            log.warning("row %s: %s", sample.index, error)
            continue
        if length > max_length:
            drops.add(f"longer than max_length {max_length}", sample.index)
            continue
        kept.append(sample)
        lengths.append(length)
    return kept, lengths


def sample_length(builder: PromptBuilder, counter: ImageTokenCounter) -> Callable[[Sample], int]:
    def measure(sample: Sample) -> int:
        _, ids, labels = builder.build(sample)
        if all(label == IGNORE_INDEX for label in labels):
            raise SpanError("no assistant token after tokenization")
        placeholders = ids.count(builder.image_token_id)
        if placeholders != len(sample.images):
            raise SpanError(f"{placeholders} image tokens in the rendered text for {len(sample.images)} images")
        return len(ids) - placeholders + counter(sample)

    return measure


class VisionChatCollator:
    """Batches samples: pixel values + input ids from the processor, labels from our spans."""

    def __init__(self, builder: PromptBuilder, counter: ImageTokenCounter | None = None,
                 on_bad_image: Callable[[Sample, Exception], None] | None = None):
        self.builder = builder
        self.counter = counter
        self.on_bad_image = on_bad_image

    def _images(self, samples: list[Sample]) -> tuple[list[Sample], list]:
        kept, images = [], []
        for sample in samples:
            try:
                opened = [open_image(ref) for ref in sample.images]
            except (OSError, ValueError) as error:
                if self.on_bad_image:
                    self.on_bad_image(sample, error)
                continue
            kept.append(sample)
            images.extend(opened)
        if not kept:
            raise ValueError("every image in this batch failed to open")
        return kept, images

    def __call__(self, samples: list[Sample]) -> dict:
        import torch

        samples, images = self._images(samples)
        built = [self.builder.build(sample) for sample in samples]
        batch = self.builder.processor(text=[text for text, _, _ in built], images=images or None,
                                       padding=True, add_special_tokens=self.builder.add_special_tokens,
                                       return_tensors="pt")
        input_ids, attention = batch["input_ids"], batch["attention_mask"]
        labels = torch.full_like(input_ids, IGNORE_INDEX)
        image_id = self.builder.image_token_id
        for row, (sample, (_, ids, row_labels)) in enumerate(zip(samples, built)):
            positions = attention[row].nonzero(as_tuple=True)[0]
            processor_ids = input_ids[row, positions].tolist()
            if self.counter is not None:
                expected = self.counter(sample)
                found = processor_ids.count(image_id)
                if found != expected:
                    raise SpanError(f"row {sample.index}: {found} image tokens, expected {expected}")
            aligned = align_labels(processor_ids, ids, row_labels, image_id)
            labels[row, positions] = torch.tensor(aligned, dtype=labels.dtype)
        result = dict(batch)
        result["labels"] = labels
        return result
