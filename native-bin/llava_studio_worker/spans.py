"""Assistant-only labels from character spans (pure Python, testable without transformers).

1. Render the conversation with the chat template and record, for each assistant turn, the
   character span it occupies: the text added between rendering the turns before it with the
   generation prompt and rendering up to and including it (so the end-of-turn marker the template
   emits is inside the span). Templates that break that prefix property fall back to locating the
   reply text itself.
2. A span with no special token in it (templates such as llava-1.5's emit none) gets the EOS token
   appended, so the model learns to stop.
3. Tokenize the rendered text (one token per <image> placeholder) with offsets; label a token iff
   it overlaps an assistant span. Image tokens, zero-width specials and padding get -100.
4. Align with the processor's ids, where each placeholder became N image tokens: non-image tokens
   must match one to one, and every image token gets -100.
"""

from __future__ import annotations

from typing import Callable, Sequence

IGNORE_INDEX = -100
Span = tuple[int, int]
Render = Callable[[list, bool], str]  # (messages, add_generation_prompt) -> text


class SpanError(ValueError):
    pass


def _reply_texts(message: dict) -> list[str]:
    return [p["text"] for p in message["content"] if p.get("type") == "text" and p["text"].strip()]


def _find_reply(full: str, message: dict, cursor: int) -> Span:
    start = end = None
    for text in _reply_texts(message):
        position = full.find(text.strip(), cursor)
        if position < 0:
            raise SpanError(f"assistant text {text[:40]!r} not found in the rendered template")
        start = position if start is None else start
        end = cursor = position + len(text.strip())
    if start is None:
        raise SpanError("assistant turn has no text")
    return start, end


def assistant_spans(messages: list[dict], render: Render) -> tuple[str, list[Span]]:
    """The rendered conversation and the character span of each assistant turn in it."""
    full = render(messages, False)
    spans: list[Span] = []
    cursor = 0
    for i, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        span = None
        if i > 0:
            try:
                before = render(messages[:i], True)
                upto = render(messages[: i + 1], False)
            except Exception:  # a template may refuse partial conversations; use the fallback
                before = upto = ""
            if (len(before) >= cursor and len(upto) > len(before) and upto.startswith(before)
                    and full.startswith(upto)):
                span = (len(before), len(upto))
        if span is None:
            span = _find_reply(full, message, cursor)
        spans.append(span)
        cursor = span[1]
    return full, spans


def close_spans(text: str, spans: Sequence[Span], eos_token: str | None,
                special_tokens: Sequence[str]) -> tuple[str, list[Span]]:
    """Append `eos_token` to every span that holds no special token; later spans shift right."""
    out: list[Span] = []
    shift = 0
    for start, end in spans:
        start, end = start + shift, end + shift
        segment = text[start:end]
        if eos_token and not any(token and token in segment for token in special_tokens):
            text = text[:end] + eos_token + text[end:]
            end += len(eos_token)
            shift += len(eos_token)
        out.append((start, end))
    return text, out


def mask_labels(input_ids: Sequence[int], offsets: Sequence[Sequence[int]], spans: Sequence[Span],
                image_token_id: int | None, attention_mask: Sequence[int] | None = None) -> list[int]:
    """Per-token labels: the token id inside an assistant span, IGNORE_INDEX elsewhere."""
    labels = []
    for k, token in enumerate(input_ids):
        start, end = offsets[k]
        if (token == image_token_id or end <= start
                or (attention_mask is not None and not attention_mask[k])):
            labels.append(IGNORE_INDEX)
            continue
        inside = any(start < s_end and end > s_start for s_start, s_end in spans)
        labels.append(int(token) if inside else IGNORE_INDEX)
    return labels


def align_labels(processor_ids: Sequence[int], rendered_ids: Sequence[int], rendered_labels: Sequence[int],
                 image_token_id: int) -> list[int]:
    """Carry labels from the unexpanded tokenization onto the processor's expanded ids.

    A run of image tokens in `rendered_ids` (adjacent placeholders) matches one run in
    `processor_ids`; everything else must be identical, else the sample cannot be labelled safely.
    """
    out: list[int] = []
    i = j = 0
    while i < len(rendered_ids):
        if rendered_ids[i] == image_token_id:
            while i < len(rendered_ids) and rendered_ids[i] == image_token_id:
                i += 1
            if j >= len(processor_ids) or processor_ids[j] != image_token_id:
                raise SpanError(f"processor ids have no image tokens at position {j}")
            while j < len(processor_ids) and processor_ids[j] == image_token_id:
                out.append(IGNORE_INDEX)
                j += 1
            continue
        if j >= len(processor_ids) or processor_ids[j] != rendered_ids[i]:
            got = processor_ids[j] if j < len(processor_ids) else "end"
            raise SpanError(f"tokenization differs at position {j}: processor {got}, text {rendered_ids[i]}")
        out.append(rendered_labels[i])
        i += 1
        j += 1
    if j != len(processor_ids):
        raise SpanError(f"processor ids are {len(processor_ids) - j} tokens longer than the text's")
    return out


def count_image_runs(ids: Sequence[int], image_token_id: int) -> int:
    runs, previous = 0, False
    for token in ids:
        current = token == image_token_id
        runs += current and not previous
        previous = current
    return runs
