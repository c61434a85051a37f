"""The collator end to end against a stand-in processor (torch + Pillow, no transformers).

The stand-in does what LlavaProcessor does to text: each <image> becomes N image tokens, then the
batch is tokenized and right-padded. The real processor is exercised in test_model_tiny.py.
"""

from pathlib import Path

import pytest
from conftest import has
from fake_tokenizer import FakeTokenizer, chatml, llava15

pytestmark = pytest.mark.skipif(not has("torch", "PIL"), reason="needs torch and Pillow")

TOKENS_PER_IMAGE = 4


class FakeProcessor:
    def __init__(self, template=chatml):
        self.tokenizer = FakeTokenizer()
        self.template = template
        self.image_token = "<image>"
        self.calls = []

    def apply_chat_template(self, messages, add_generation_prompt=False, tokenize=False):
        assert tokenize is False
        return self.template(messages, add_generation_prompt)

    def __call__(self, text, images=None, padding=False, add_special_tokens=True, return_tensors=None):
        import torch

        self.calls.append({"n_images": len(images or []), "padding": padding})
        rows = [self.tokenizer(t.replace("<image>", "<image>" * TOKENS_PER_IMAGE),
                               add_special_tokens=add_special_tokens)["input_ids"] for t in text]
        if return_tensors is None:
            return {"input_ids": rows}
        width = max(map(len, rows))
        pad = self.tokenizer.id("<pad>")
        out = {"input_ids": torch.tensor([r + [pad] * (width - len(r)) for r in rows]),
               "attention_mask": torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])}
        if images:
            out["pixel_values"] = torch.zeros(len(images), 3, 8, 8)
        return out


def samples(tmp_path: Path):
    from PIL import Image

    from llava_studio_worker.samples import ImageRef, Sample

    Image.new("RGB", (10, 12), (255, 0, 0)).save(tmp_path / "r.png")
    image = ImageRef(path=str(tmp_path / "r.png"))
    return [
        Sample(0, [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Colour?"}]},
                   {"role": "assistant", "content": [{"type": "text", "text": "Red."}]}], [image]),
        Sample(1, [{"role": "user", "content": [{"type": "text", "text": "Hi"}]},
                   {"role": "assistant", "content": [{"type": "text", "text": "Hello there, friend."}]}], []),
        Sample(2, [{"role": "user", "content": [{"type": "image"}, {"type": "image"},
                                                {"type": "text", "text": "Same?"}]},
                   {"role": "assistant", "content": [{"type": "text", "text": "Yes."}]}], [image, image]),
    ]


@pytest.mark.parametrize("template, answers", [
    (chatml, ["Red.<|im_end|>\n", "Hello there, friend.<|im_end|>\n", "Yes.<|im_end|>\n"]),
    (llava15, [" Red. </s>", " Hello there, friend. </s>", " Yes. </s>"]),
])
def test_batch_labels_images_and_padding(tmp_path: Path, template, answers):
    from llava_studio_worker.collate import ImageTokenCounter, PromptBuilder, VisionChatCollator

    processor = FakeProcessor(template)
    image_id = processor.tokenizer.id("<image>")
    builder = PromptBuilder(processor, "<image>", image_id)
    counter = ImageTokenCounter(processor, "<image>", image_id)
    assert counter.constant == TOKENS_PER_IMAGE
    batch = VisionChatCollator(builder, counter)(samples(tmp_path))
    ids, labels, mask = batch["input_ids"], batch["labels"], batch["attention_mask"]
    assert batch["pixel_values"].shape[0] == 3 and processor.calls[-1] == {"n_images": 3, "padding": True}
    for row, answer in enumerate(answers):
        kept = labels[row][labels[row] != -100].tolist()
        assert processor.tokenizer.decode(kept) == answer
        assert bool((labels[row][mask[row] == 0] == -100).all())
        assert bool((labels[row][ids[row] == image_id] == -100).all())
    assert [int((ids[r] == image_id).sum()) for r in range(3)] == [4, 0, 8]


def test_length_measure_counts_expanded_image_tokens(tmp_path: Path):
    from llava_studio_worker.collate import ImageTokenCounter, PromptBuilder, filter_by_length, sample_length
    from llava_studio_worker.dataset import DropLog

    processor = FakeProcessor()
    image_id = processor.tokenizer.id("<image>")
    builder = PromptBuilder(processor, "<image>", image_id)
    measure = sample_length(builder, ImageTokenCounter(processor, "<image>", image_id))
    rows = samples(tmp_path)
    lengths = [measure(s) for s in rows]
    text_only = len(builder.build(rows[1])[1])
    assert lengths[1] == text_only
    assert lengths[2] == len(builder.build(rows[2])[1]) - 2 + 2 * TOKENS_PER_IMAGE
    drops = DropLog()
    kept, _ = filter_by_length(rows, measure, max(lengths) - 1, drops)
    assert len(kept) == 2 and drops.total == 1


def test_a_broken_image_drops_the_sample_and_reports_it(tmp_path: Path):
    from llava_studio_worker.collate import PromptBuilder, VisionChatCollator
    from llava_studio_worker.samples import ImageRef

    processor = FakeProcessor()
    builder = PromptBuilder(processor, "<image>", processor.tokenizer.id("<image>"))
    rows = samples(tmp_path)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    rows[0].images = [ImageRef(path=str(tmp_path / "broken.png"))]
    seen = []
    batch = VisionChatCollator(builder, on_bad_image=lambda s, e: seen.append(s.index))(rows)
    assert seen == [0] and batch["input_ids"].shape[0] == 2
