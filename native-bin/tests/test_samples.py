import pytest

from llava_studio_worker.images import ImageResolver
from llava_studio_worker.samples import ImageRef, RowError, normalize_row, split_placeholders

IMAGE = {"type": "image"}


def text(t):
    return {"type": "text", "text": t}


def resolve(value):
    return ImageResolver("/data", "/imgs")(value)


@pytest.mark.parametrize("raw, parts", [
    ("<image>\nWhat is this?", [IMAGE, text("What is this?")]),
    ("Compare <image> and <image>.", [text("Compare"), IMAGE, text("and"), IMAGE, text(".")]),
    ("<image><image>Which?", [IMAGE, IMAGE, text("Which?")]),
    ("plain", [text("plain")]),
])
def test_split_placeholders(raw, parts):
    assert split_placeholders(raw) == parts


@pytest.mark.parametrize("row, messages, images", [
    ({"image": "a.jpg", "conversations": [{"from": "human", "value": "<image>\nQ"}, {"from": "gpt", "value": "A"}]},
     [{"role": "user", "content": [IMAGE, text("Q")]}, {"role": "assistant", "content": [text("A")]}],
     [ImageRef(path="/imgs/a.jpg")]),
    ({"messages": [{"role": "user", "content": [IMAGE, text("Q")]}, {"role": "assistant", "content": [text("A")]}],
      "images": [{"bytes": b"png", "path": None}]},
     [{"role": "user", "content": [IMAGE, text("Q")]}, {"role": "assistant", "content": [text("A")]}],
     [ImageRef(data=b"png")]),
    ({"messages": [{"role": "user", "content": [{"type": "image", "image": "/abs/x.png"}, text("Q")]},
                   {"role": "assistant", "content": "A"}]},
     [{"role": "user", "content": [IMAGE, text("Q")]}, {"role": "assistant", "content": [text("A")]}],
     [ImageRef(path="/abs/x.png")]),
    ({"system": "S", "user": "Q", "assistant": "A"},
     [{"role": "system", "content": [text("S")]}, {"role": "user", "content": [text("Q")]},
      {"role": "assistant", "content": [text("A")]}], []),
    # images but no placeholder: they go before the first question
    ({"image": "a.jpg", "conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]},
     [{"role": "user", "content": [IMAGE, text("Q")]}, {"role": "assistant", "content": [text("A")]}],
     [ImageRef(path="/imgs/a.jpg")]),
])
def test_row_shapes(row, messages, images):
    sample = normalize_row(row, 3, resolve)
    assert (sample.index, sample.messages, sample.images) == (3, messages, images)


@pytest.mark.parametrize("row, reason", [
    ({"image": ["a", "b"], "conversations": [{"from": "human", "value": "<image>Q"}, {"from": "gpt", "value": "A"}]},
     "image count mismatch"),
    ({"conversations": [{"from": "human", "value": "Q"}]}, "no assistant reply"),
    ({"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "<image>"}]}, "image count mismatch"),
    ({"conversations": [{"from": "narrator", "value": "Q"}]}, "unknown role"),
    ({"messages": "hello"}, "bad messages"),
    ({"messages": [{"role": "user", "content": [{"type": "audio"}]}]}, "bad message content"),
    ({"prompt": "Q", "completion": "A"}, "unknown row shape"),
    ([1, 2], "row is not an object"),
    ({"image": "http://x/a.jpg", "conversations": [{"from": "human", "value": "<image>Q"},
                                                   {"from": "gpt", "value": "A"}]}, "remote image"),
])
def test_unusable_rows_say_why(row, reason):
    with pytest.raises(RowError) as error:
        normalize_row(row, 0, resolve)
    assert error.value.reason == reason
