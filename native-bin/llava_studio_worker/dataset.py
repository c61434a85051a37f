"""Loading the configured dataset into train/eval samples, with a count of every row left out."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

from .config import DatasetSettings
from .errors import DataError
from .images import ImageResolver, image_exists
from .readers import dataset_base_dir, read_rows
from .samples import RowError, Sample, normalize_row, row_shape

EXPECTED_SHAPE = {"messages-jsonl": "messages", "messages-json": "messages", "llava-json": "llava", "llava-jsonl": "llava"}


@dataclass
class DropLog:
    """Rows left out, by reason, with the first few row numbers of each (0-based, per file)."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list] = field(default_factory=dict)

    def add(self, reason: str, where: int | str, keep: int = 5) -> None:
        self.counts[reason] = self.counts.get(reason, 0) + 1
        rows = self.examples.setdefault(reason, [])
        if len(rows) < keep:
            rows.append(where)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> list[dict]:
        return [{"reason": r, "count": c, "rows": self.examples[r]}
                for r, c in sorted(self.counts.items(), key=lambda item: -item[1])]

    def merge(self, other: "DropLog", prefix: str = "") -> None:
        for reason, count in other.counts.items():
            self.counts[prefix + reason] = self.counts.get(prefix + reason, 0) + count
            self.examples.setdefault(prefix + reason, []).extend(other.examples[reason][:5])


@dataclass
class LoadedData:
    train: list[Sample]
    eval: list[Sample]
    rows_read: int
    dropped: DropLog
    images: int

    def summary(self) -> dict:
        return {"rows_read": self.rows_read, "train_samples": len(self.train), "eval_samples": len(self.eval),
                "images": self.images, "text_only_samples": sum(1 for s in self.train + self.eval if not s.images),
                "dropped": self.dropped.total, "dropped_by_reason": self.dropped.summary()}


def load_file(path: str, fmt: str, images_dir: str | None, drops: DropLog,
              exists: Callable = image_exists) -> tuple[list[Sample], int]:
    rows = read_rows(path, fmt)
    expected = EXPECTED_SHAPE.get(fmt)
    if expected and rows and isinstance(rows[0], dict) and row_shape(rows[0]) != expected:
        raise DataError(f"{path}: format is {fmt} but the first row has keys {sorted(rows[0])[:6]}",
                        "set config.dataset.format to auto, or fix the file")
    resolver = ImageResolver(dataset_base_dir(path), images_dir)
    samples: list[Sample] = []
    for index, row in enumerate(rows):
        try:
            sample = normalize_row(row, index, resolver)
        except RowError as error:
            drops.add(error.reason, index)
            continue
        missing = [ref for ref in sample.images if not exists(ref)]
        if missing:
            drops.add("missing image", index)
            continue
        samples.append(sample)
    return samples, len(rows)


def split_eval(samples: list[Sample], ratio: float, seed: int) -> tuple[list[Sample], list[Sample]]:
    """A seeded, reproducible hold-out: the same config always holds out the same rows."""
    if ratio <= 0 or len(samples) < 2:
        return samples, []
    order = list(range(len(samples)))
    random.Random(seed).shuffle(order)
    n_eval = min(len(samples) - 1, max(1, round(len(samples) * ratio)))
    held = set(order[:n_eval])
    return ([s for i, s in enumerate(samples) if i not in held], [s for i, s in enumerate(samples) if i in held])


def load_dataset(settings: DatasetSettings, seed: int, exists: Callable = image_exists) -> LoadedData:
    drops = DropLog()
    train, rows_read = load_file(settings.path, settings.format, settings.images_dir, drops, exists)
    if not train:
        reasons = "; ".join(f"{d['reason']} x{d['count']}" for d in drops.summary()) or "the file has no rows"
        hint = "set config.dataset.images_dir to the folder holding the images" \
            if "missing image" in drops.counts else "run with --validate-only to see which rows fail"
        raise DataError(f"{settings.path}: no usable rows ({reasons})", hint)
    if settings.eval_path:
        eval_drops = DropLog()
        eval_fmt = "auto" if settings.format in EXPECTED_SHAPE else settings.format
        eval_samples, _ = load_file(settings.eval_path, eval_fmt, settings.images_dir, eval_drops, exists)
        drops.merge(eval_drops, prefix="eval: ")
    else:
        train, eval_samples = split_eval(train, settings.eval_ratio, seed)
    images = sum(len(s.images) for s in train + eval_samples)
    return LoadedData(train, eval_samples, rows_read, drops, images)
