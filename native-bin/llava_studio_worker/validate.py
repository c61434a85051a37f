"""`train --validate-only`: check run.json and the dataset without torch, print one JSON summary.

Exit 0 when training could start (rows left out are warnings), 2 when it could not.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

from .config import RunFile
from .dataset import load_dataset
from .errors import EXIT_INVALID, EXIT_OK, WorkerError
from .readers import detect_container


def _header_check(samples) -> tuple[int, list]:
    """Images whose header Pillow cannot read (only when Pillow is installed)."""
    from .images import image_size

    bad, examples = 0, []
    for sample in samples:
        for ref in sample.images:
            try:
                image_size(ref)
            except (OSError, ValueError) as error:
                bad += 1
                if len(examples) < 5:
                    examples.append({"row": sample.index, "image": ref.label, "error": str(error)[:120]})
    return bad, examples


def summarize(run: RunFile) -> dict:
    config = run.config
    summary: dict = {"ok": False, "run": run.name, "config": config.to_dict(), "errors": [], "warnings": []}
    try:
        summary["container"] = detect_container(config.dataset.path, config.dataset.format)
        data = load_dataset(config.dataset, config.seed)
    except WorkerError as error:
        summary["errors"].append({"message": error.message, "hint": error.hint})
        return summary
    summary["dataset"] = data.summary()
    samples = data.train + data.eval
    turns = [sum(m["role"] == "assistant" for m in s.messages) for s in samples]
    chars = [sum(len(p.get("text", "")) for m in s.messages for p in m["content"]) for s in samples]
    summary["dataset"].update(assistant_turns_max=max(turns), text_chars_max=max(chars),
                              text_chars_mean=round(sum(chars) / len(chars), 1))
    if data.dropped.total:
        summary["warnings"].append({"message": f"{data.dropped.total} rows would be left out",
                                    "rows": data.dropped.summary()})
    if importlib.util.find_spec("PIL") is not None:
        bad, examples = _header_check(samples)
        summary["dataset"]["unreadable_images"] = bad
        if bad:
            summary["warnings"].append({"message": f"{bad} images cannot be decoded", "examples": examples})
    else:
        summary["dataset"]["unreadable_images"] = None  # not checked: Pillow is not installed here
    if config.method == "qlora" and importlib.util.find_spec("bitsandbytes") is None:
        summary["warnings"].append({"message": "method qlora needs bitsandbytes, not installed in "
                                               f"{sys.executable} (fine if training runs elsewhere)"})
    parent = os.path.dirname(config.output_dir.rstrip(os.sep)) or "."
    if not os.path.isdir(config.output_dir) and not os.access(parent, os.W_OK):
        summary["warnings"].append({"message": f"cannot create output_dir {config.output_dir}"})
    summary["ok"] = True
    return summary


def validate_run(run: RunFile) -> int:
    summary = summarize(run)
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return EXIT_OK if summary["ok"] else EXIT_INVALID
