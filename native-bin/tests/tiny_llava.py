"""A tiny, randomly initialised LLaVA (CLIP 32px/8px patches + 2-layer Llama) built offline.

    python tests/tiny_llava.py OUT_DIR     # writes OUT_DIR/model and OUT_DIR/data (used by bench/gpu/run.sh)

Everything is made here: a byte-level BPE trained on a few sentences (tokenizers), a
CLIPImageProcessor at 32 px, a LlavaProcessor with a chat template, and solid-colour images
whose answers name the colour. No download; the model folder is a few hundred KB.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SPECIALS = ["<unk>", "<s>", "</s>", "<pad>", "<image>"]
CHAT_TEMPLATE = (
    "{% for m in messages %}{{ '<|' + m['role'] + '|>' }}"
    "{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}{{ '<image>' }}{% else %}{{ c['text'] }}{% endif %}{% endfor %}{% endif %}"
    "{% if m['role'] == 'assistant' %}{{ '</s>' }}{% endif %}{{ '\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}"
)
COLOURS = {"red": (220, 30, 30), "green": (30, 200, 40), "blue": (30, 40, 220)}
CORPUS = [f"<|user|>What colour is this picture?\n<|assistant|>It is {c}.\n" for c in COLOURS] + [
    "<|system|>You describe images briefly.\n", "A picture of a cat on a mat, and a dog.\n",
    "What is the capital of France? Paris is the capital.\n"] * 3


def build_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    try:
        from transformers import PreTrainedTokenizerFast as Wrapper
    except ImportError:  # transformers 5 names the tokenizers-backed class TokenizersBackend
        from transformers import TokenizersBackend as Wrapper

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=420, special_tokens=SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS, trainer)
    bos = tok.token_to_id("<s>")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", bos)])
    return Wrapper(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>")


def build_processor():
    from transformers import CLIPImageProcessor, LlavaProcessor

    image_processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32},
                                         do_center_crop=True, do_resize=True)
    tokenizer = build_tokenizer()
    tokenizer.chat_template = CHAT_TEMPLATE
    return LlavaProcessor(image_processor=image_processor, tokenizer=tokenizer, patch_size=8,
                          vision_feature_select_strategy="default", num_additional_image_tokens=1,
                          chat_template=CHAT_TEMPLATE, image_token="<image>")


def build_model(tokenizer, seed: int = 0):
    import torch
    from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration

    torch.manual_seed(seed)
    image_token_id = tokenizer.convert_tokens_to_ids("<image>")
    vision = CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                              image_size=32, patch_size=8, projection_dim=32)
    text = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                       bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                       pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=False)
    config = LlavaConfig(vision_config=vision, text_config=text, vision_feature_select_strategy="default",
                         vision_feature_layer=-2)
    config.image_token_id = image_token_id  # v5 name; 4.x maps it onto image_token_index
    if hasattr(config, "image_token_index"):
        config.image_token_index = image_token_id
    model = LlavaForConditionalGeneration(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model


def build_model_folder(folder: Path) -> Path:
    processor = build_processor()
    model = build_model(processor.tokenizer)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def build_dataset(folder: Path, repeats: int = 2) -> Path:
    """messages-JSONL with one solid-colour image per row and the colour as the answer."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, rgb in COLOURS.items():
        Image.new("RGB", (40, 36), rgb).save(folder / f"{name}.png")
        rows.append({"messages": [
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What colour is this picture?"}]},
            {"role": "assistant", "content": [{"type": "text", "text": f"It is {name}."}]}],
            "images": [f"{name}.png"]})
    path = folder / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows * repeats), encoding="utf-8")
    return path


def run_config(model: Path, data: Path, output_dir: Path, **changes) -> dict:
    config = {"model": str(model), "dataset": {"path": str(data)}, "output_dir": str(output_dir),
              "method": "lora", "lora": {"r": 8, "alpha": 16, "dropout": 0.0}, "lr": 1e-2, "projector_lr": 1e-2,
              "max_steps": 16, "per_device_batch": 2, "grad_accum": 1, "warmup_ratio": 0, "scheduler": "constant",
              "max_length": 256, "logging_steps": 1, "save_steps": 8, "save_total_limit": 5, "seed": 0}
    config.update(changes)
    return {"version": 1, "name": output_dir.name, "status": "queued", "config": config, "plan": {},
            "pid": None, "host": None, "startedAt": None}


if __name__ == "__main__":
    out = Path(sys.argv[1])
    build_model_folder(out / "model")
    build_dataset(out / "data")
    print(json.dumps({"model": str(out / "model"), "data": str(out / "data" / "train.jsonl")}))
