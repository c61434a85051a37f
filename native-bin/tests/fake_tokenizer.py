"""A pure-Python tokenizer with offsets and two chat templates, for testing label masking.

Tokens: special tokens (longest first), then runs of word characters with their leading space,
then single other characters — close enough to a BPE's behaviour at span boundaries.
"""

from __future__ import annotations

import re


class FakeTokenizer:
    def __init__(self, special_tokens=("<s>", "</s>", "<pad>", "<image>", "<|im_start|>", "<|im_end|>")):
        self.special = list(special_tokens)
        self.vocab: dict[str, int] = {t: i for i, t in enumerate(self.special)}
        alternatives = "|".join(re.escape(t) for t in sorted(self.special, key=len, reverse=True))
        self.pattern = re.compile(rf"({alternatives})| ?\w+|\s|[^\w\s]")
        self.bos_token, self.eos_token, self.pad_token = "<s>", "</s>", "<pad>"
        self.all_special_tokens = list(self.special)

    def id(self, token: str) -> int:
        return self.vocab.setdefault(token, len(self.vocab))

    def __call__(self, text: str, add_special_tokens: bool = True, return_offsets_mapping: bool = False):
        ids, offsets = [], []
        if add_special_tokens:
            ids.append(self.id(self.bos_token))
            offsets.append((0, 0))
        for match in self.pattern.finditer(text):
            ids.append(self.id(match.group()))
            offsets.append(match.span())
        out = {"input_ids": ids}
        if return_offsets_mapping:
            out["offset_mapping"] = offsets
        return out

    def decode(self, ids) -> str:
        inverse = {v: k for k, v in self.vocab.items()}
        return "".join(inverse[i] for i in ids)


def _parts(message) -> str:
    return "".join("<image>" if p["type"] == "image" else p["text"] for p in message["content"])


def chatml(messages, add_generation_prompt: bool) -> str:
    text = "".join(f"<|im_start|>{m['role']}\n{_parts(m)}<|im_end|>\n" for m in messages)
    return text + ("<|im_start|>assistant\n" if add_generation_prompt else "")


def llava15(messages, add_generation_prompt: bool) -> str:
    """The llava-1.5-hf template's shape: images first, no end-of-turn token after replies."""
    out = ""
    for m in messages:
        if m["role"] != "system":
            out += m["role"].upper() + ": "
        out += "".join("<image>\n" for p in m["content"] if p["type"] == "image")
        out += "".join(p["text"] + " " for p in m["content"] if p["type"] == "text")
    return out + ("ASSISTANT:" if add_generation_prompt else "")


def last_turn_marked(messages, add_generation_prompt: bool) -> str:
    """A template whose rendering of earlier turns changes with the conversation length."""
    out = ""
    for i, m in enumerate(messages):
        tag = "[LAST]" if i == len(messages) - 1 else ""
        out += f"{m['role']}{tag}: {_parts(m)}\n"
    return out + ("assistant: " if add_generation_prompt else "")
