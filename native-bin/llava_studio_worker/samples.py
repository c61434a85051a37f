"""Turning a dataset row of any supported shape into one canonical sample.

Canonical: messages = [{"role": "system"|"user"|"assistant",
                        "content": [{"type": "text", "text": str} | {"type": "image"}]}],
           images   = [ImageRef, ...] in the order of the {"type": "image"} parts.

Row shapes (detected from the row's keys, whatever the file container):
  messages     {"messages": [{"role", "content": str | parts}], "images": [...]}   (canonical,
               LLaMA-Factory, HF parquet with images [{bytes, path}])
  llava        {"image": str | [str], "conversations": [{"from": human|gpt|system, "value"}],
                "system_prompt"?}                                                 (LLaVA JSON)
  columns      {"system"?, "user", "assistant", "image"?}                         (flat text columns)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

IMAGE_PLACEHOLDER = "<image>"
ROLES = {"user": "user", "human": "user", "assistant": "assistant", "gpt": "assistant",
         "bot": "assistant", "model": "assistant", "system": "system"}


@dataclass(frozen=True)
class ImageRef:
    """An image given by a file path (resolved) or by its encoded bytes."""

    path: str | None = None
    data: bytes | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return self.path or f"<{len(self.data or b'')} bytes>"


@dataclass
class Sample:
    index: int
    messages: list[dict]
    images: list[ImageRef]


class RowError(ValueError):
    """A row that cannot be trained on; `reason` is a short, stable text used for counting."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}{': ' + detail if detail else ''}")
        self.reason = reason
        self.detail = detail


def split_placeholders(text: str) -> list[dict]:
    """'<image>\\nWhat is this?' -> [{"type": "image"}, {"type": "text", "text": "What is this?"}]."""
    parts: list[dict] = []
    for i, chunk in enumerate(text.split(IMAGE_PLACEHOLDER)):
        if i > 0:
            parts.append({"type": "image"})
        chunk = chunk.strip()  # the newline LLaVA puts after <image> is the template's business
        if chunk:
            parts.append({"type": "text", "text": chunk})
    return parts


def _content_parts(content: Any, where: str, inline_images: list) -> list[dict]:
    if isinstance(content, str):
        return split_placeholders(content)
    if not isinstance(content, list):
        raise RowError("bad message content", f"{where}: expected a string or a list of parts")
    parts: list[dict] = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            text = part.get("text")
            if not isinstance(text, str):
                raise RowError("bad message content", f"{where}: text part without a string 'text'")
            parts.extend(split_placeholders(text) if IMAGE_PLACEHOLDER in text else
                         [{"type": "text", "text": text}] if text.strip() else [])
        elif kind == "image":
            inline = part.get("image") or part.get("path") or part.get("url")
            if inline is not None:
                inline_images.append(inline)
            parts.append({"type": "image"})
        else:
            raise RowError("bad message content", f"{where}: part type {kind!r} (expected text or image)")
    return parts


def _message(role: Any, content: Any, where: str, inline_images: list) -> dict:
    mapped = ROLES.get(role.lower()) if isinstance(role, str) else None
    if mapped is None:
        raise RowError("unknown role", f"{where}: {role!r}")
    return {"role": mapped, "content": _content_parts(content, where, inline_images)}


def parse_messages(raw: Any, inline_images: list | None = None) -> list[dict]:
    """Canonical messages from a list of {role, content} (content a string or a list of parts)."""
    if not isinstance(raw, list):
        raise RowError("bad messages", "'messages' is not a list")
    inline = inline_images if inline_images is not None else []
    return [_message(m.get("role") if isinstance(m, dict) else None,
                     m.get("content") if isinstance(m, dict) else None, f"messages[{i}]", inline)
            for i, m in enumerate(raw)]


def count_image_parts(messages: list[dict]) -> int:
    return sum(p["type"] == "image" for m in messages for p in m["content"])


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def row_shape(row: dict) -> str | None:
    if "messages" in row:
        return "messages"
    if "conversations" in row:
        return "llava"
    if "user" in row and "assistant" in row:
        return "columns"
    return None


def normalize_row(row: Any, index: int, resolve_image: Callable[[Any], ImageRef]) -> Sample:
    """One row -> Sample, or RowError saying why the row cannot be used."""
    if not isinstance(row, dict):
        raise RowError("row is not an object")
    shape = row_shape(row)
    inline: list = []
    if shape == "messages":
        messages = parse_messages(row["messages"], inline)
    elif shape == "llava":
        raw = row["conversations"]
        if not isinstance(raw, list):
            raise RowError("bad conversations", "'conversations' is not a list")
        messages = []
        if isinstance(row.get("system_prompt"), str) and row["system_prompt"].strip():
            messages.append({"role": "system", "content": [{"type": "text", "text": row["system_prompt"]}]})
        for i, turn in enumerate(raw):
            if not isinstance(turn, dict):
                raise RowError("bad conversations", f"conversations[{i}] is not an object")
            role = turn.get("from", turn.get("role"))
            messages.append(_message(role, turn.get("value", turn.get("content")), f"conversations[{i}]", inline))
    elif shape == "columns":
        messages = []
        for role in ("system", "user", "assistant"):
            if isinstance(row.get(role), str) and row[role].strip():
                messages.append(_message(role, row[role], role, inline))
    else:
        keys = ", ".join(sorted(map(str, row))[:8])
        raise RowError("unknown row shape", f"no messages/conversations/user+assistant (keys: {keys})")

    image_values = _as_list(row.get("images", row.get("image"))) or inline
    images = [resolve_image(v) for v in image_values if v is not None]
    placeholders = count_image_parts(messages)
    if placeholders == 0 and images:
        # Images with no placeholder (common in hand-made sets): they belong before the first question.
        first_user = next((m for m in messages if m["role"] == "user"), None)
        if first_user is None:
            raise RowError("images without a user turn")
        first_user["content"][:0] = [{"type": "image"} for _ in images]
    elif placeholders != len(images):
        raise RowError("image count mismatch", f"{placeholders} <image> placeholders, {len(images)} images")
    if not any(m["role"] == "assistant" and any(p["type"] == "text" for p in m["content"]) for m in messages):
        raise RowError("no assistant reply")
    return Sample(index, messages, images)
