import pytest
from fake_tokenizer import FakeTokenizer, chatml, last_turn_marked, llava15

from llava_studio_worker.spans import (IGNORE_INDEX, SpanError, align_labels, assistant_spans, close_spans,
                                       count_image_runs, mask_labels)

IMAGE = {"type": "image"}


def text(t):
    return {"type": "text", "text": t}


CONVERSATION = [
    {"role": "system", "content": [text("Be brief.")]},
    {"role": "user", "content": [IMAGE, text("What is this?")]},
    {"role": "assistant", "content": [text("A red cat.")]},
    {"role": "user", "content": [text("And its name?")]},
    {"role": "assistant", "content": [text("Tom.")]},
]


def labelled_text(template, messages=CONVERSATION):
    tok = FakeTokenizer()
    rendered, spans = assistant_spans(messages, template)
    rendered, spans = close_spans(rendered, spans, tok.eos_token, tok.all_special_tokens[:2] + ["<|im_end|>"])
    enc = tok(rendered, add_special_tokens=True, return_offsets_mapping=True)
    labels = mask_labels(enc["input_ids"], enc["offset_mapping"], spans, tok.id("<image>"))
    kept = [t for t, label in zip(enc["input_ids"], labels) if label != IGNORE_INDEX]
    assert all(label in (IGNORE_INDEX, t) for t, label in zip(enc["input_ids"], labels))
    return rendered, spans, tok.decode(kept), enc, labels, tok


def test_chatml_labels_only_replies_and_their_end_marker():
    rendered, spans, kept, *_ = labelled_text(chatml)
    assert kept == "A red cat.<|im_end|>\nTom.<|im_end|>\n"
    assert "</s>" not in rendered  # the template ends turns itself
    assert [rendered[s:e] for s, e in spans] == ["A red cat.<|im_end|>\n", "Tom.<|im_end|>\n"]


def test_llava15_template_gets_an_eos_after_each_reply():
    rendered, spans, kept, *_ = labelled_text(llava15)
    assert kept == " A red cat. </s> Tom. </s>"
    assert rendered.startswith("Be brief. USER: <image>\nWhat is this? ASSISTANT: A red cat. </s>USER:")


def test_fallback_when_earlier_turns_render_differently():
    rendered, spans, kept, *_ = labelled_text(last_turn_marked)
    assert [rendered[s:e] for s, e in spans] == ["A red cat.</s>", "Tom.</s>"]
    assert kept == " A red cat.</s> Tom.</s>"  # " A" overlaps the span: the first reply token is learned


def test_image_bos_and_padding_get_ignore_index():
    _, _, _, enc, labels, tok = labelled_text(chatml)
    ids = enc["input_ids"]
    assert labels[0] == IGNORE_INDEX and ids[0] == tok.id("<s>")
    assert labels[ids.index(tok.id("<image>"))] == IGNORE_INDEX
    padded = mask_labels(ids + [tok.id("<pad>")], enc["offset_mapping"] + [(0, 0)], [(0, 10_000)],
                         tok.id("<image>"), attention_mask=[1] * len(ids) + [0])
    assert padded[-1] == IGNORE_INDEX


def test_a_token_straddling_a_span_edge_is_labelled():
    # " cat" starts one character before the span: an overlap, so it is learned rather than lost.
    tok = FakeTokenizer()
    enc = tok("say cat", add_special_tokens=False, return_offsets_mapping=True)
    assert mask_labels(enc["input_ids"], enc["offset_mapping"], [(4, 7)], None)[1] != IGNORE_INDEX
    assert mask_labels(enc["input_ids"], enc["offset_mapping"], [(7, 9)], None) == [IGNORE_INDEX, IGNORE_INDEX]


def test_reply_text_missing_from_the_template_is_an_error():
    def drops_replies(messages, add_generation_prompt):
        return "".join(m["role"] for m in messages if m["role"] != "assistant")

    with pytest.raises(SpanError, match="not found in the rendered template"):
        assistant_spans(CONVERSATION, drops_replies)


def test_close_spans_shifts_later_spans():
    text_, spans = close_spans("a X b Y", [(2, 3), (6, 7)], "<e>", ["<e>"])
    assert text_ == "a X<e> b Y<e>" and [text_[s:e] for s, e in spans] == ["X<e>", "Y<e>"]
    assert close_spans("a X", [(2, 3)], None, []) == ("a X", [(2, 3)])


def test_align_labels_expands_each_placeholder_run():
    IMG = 9
    rendered = [1, IMG, 5, IMG, IMG, 6, 7]
    labels = [-100, -100, -100, -100, -100, 6, 7]
    processor = [1, IMG, IMG, IMG, 5] + [IMG] * 6 + [6, 7]
    assert align_labels(processor, rendered, labels, IMG) == [-100] * 11 + [6, 7]
    assert count_image_runs(processor, IMG) == 2


@pytest.mark.parametrize("processor, message", [
    ([1, 5, 6], "no image tokens at position 1"),
    ([1, 9, 9, 4, 6], "tokenization differs at position 3"),
    ([1, 9, 5, 6, 8], "1 tokens longer"),
])
def test_align_labels_refuses_to_guess(processor, message):
    with pytest.raises(SpanError, match=message):
        align_labels(processor, [1, 9, 5, 6], [-100, -100, -100, 6], 9)
