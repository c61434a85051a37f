"""LoRA training throughput on the LLaVA-1.5-7B architecture: our defaults vs the seed notebook's.

    python bench/gpu/throughput.py OUT.json [--steps 20] [--warmup 3] [--batch 8]

No download: the model is LlavaConfig(CLIP ViT-L/14-336 + Llama-7B) with random weights, the
tokenizer the tiny test BPE (ids fit the 32064 vocabulary), the images random 336 px pictures.
Both runs see the same token ids and pixels; only the training setup differs:

  ours  bf16 weights + autocast, LoRA r=128/alpha=256 on language_model q/k/v/o/gate/up/down only
        (the worker's regex), projector trained in full at its own lr, gradient checkpointing,
        assistant-only labels from the worker's collator, fused AdamW.
  seed  fp16 weights + autocast + GradScaler, LoRA r=8 on `all-linear` (vision tower included),
        no gradient checkpointing, labels = input_ids (prompt and 576 image positions trained).

Each run: `--warmup` steps, then `--steps` timed steps (CUDA-synchronised wall clock). The loop is
a plain PyTorch loop (no Trainer/DataLoader) with batches collated beforehand by the worker's own
collator; the collator's CPU speed is measured separately.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "native-bin"), str(ROOT / "native-bin" / "tests")]

WORDS = ("the a cat dog red blue green picture shows small large near far left right table window street car "
         "person tree house sky water light dark two three on in with and of what is this colour").split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_samples(n: int, seed: int = 0):
    import numpy as np
    from PIL import Image

    from llava_studio_worker.samples import ImageRef, Sample

    rng, nprng = random.Random(seed), np.random.default_rng(seed)
    samples = []
    for i in range(n):
        buffer = io.BytesIO()
        Image.fromarray(nprng.integers(0, 255, (336, 336, 3), dtype=np.uint8)).save(buffer, format="PNG")
        messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": sentence(rng, 24)}]},
                    {"role": "assistant", "content": [{"type": "text", "text": sentence(rng, 60)}]}]
        samples.append(Sample(i, messages, [ImageRef(data=buffer.getvalue())]))
    return samples


def build_processor():
    from tiny_llava import CHAT_TEMPLATE, build_tokenizer
    from transformers import CLIPImageProcessor, LlavaProcessor

    tokenizer = build_tokenizer()
    tokenizer.chat_template = CHAT_TEMPLATE
    image_processor = CLIPImageProcessor(size={"shortest_edge": 336}, crop_size={"height": 336, "width": 336})
    return LlavaProcessor(image_processor=image_processor, tokenizer=tokenizer, patch_size=14,
                          vision_feature_select_strategy="default", num_additional_image_tokens=1,
                          chat_template=CHAT_TEMPLATE, image_token="<image>")


def build_llava_7b(image_token_id: int, dtype):
    import torch
    from transformers import CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration

    vision = CLIPVisionConfig(hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16,
                              image_size=336, patch_size=14, projection_dim=768, hidden_act="quick_gelu")
    text = LlamaConfig(vocab_size=32064, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                       num_attention_heads=32, num_key_value_heads=32, max_position_embeddings=4096,
                       rms_norm_eps=1e-5, tie_word_embeddings=False, use_cache=False)
    config = LlavaConfig(vision_config=vision, text_config=text, vision_feature_layer=-2,
                         vision_feature_select_strategy="default", projector_hidden_act="gelu")
    config.image_token_id = image_token_id
    if hasattr(config, "image_token_index"):
        config.image_token_index = image_token_id
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device("cuda"):
            model = LlavaForConditionalGeneration(config)
    finally:
        torch.set_default_dtype(previous)
    model.to("cuda")  # a no-op unless some part was built elsewhere
    with torch.no_grad():  # weights must be finite whatever init the library ran
        for name, p in model.named_parameters():
            if p.dim() >= 2:
                p.normal_(0.0, 0.02)
            elif "norm" in name:
                p.fill_(1.0)
            else:
                p.zero_()
    model.config.use_cache = False
    return model


def timed_steps(model, optimizer, batches, steps: int, warmup: int, dtype, scaler=None) -> dict:
    import torch

    params = [p for group in optimizer.param_groups for p in group["params"]]
    model.train()
    losses = []

    def step(batch):
        with torch.autocast("cuda", dtype=dtype):
            loss = model(**batch).loss
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return loss.detach()

    for i in range(warmup):
        step(batches[i % len(batches)])
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    for i in range(steps):
        losses.append(step(batches[i % len(batches)]))
    torch.cuda.synchronize()
    elapsed = time.perf_counter() - started
    used = [batches[i % len(batches)] for i in range(steps)]
    tokens = sum(int(b["attention_mask"].sum()) for b in used)
    trained = sum(int((b["labels"] != -100).sum()) for b in used)
    samples = sum(int(b["input_ids"].shape[0]) for b in used)
    values = [float(x) for x in losses]
    return {"steps": steps, "seconds": round(elapsed, 3), "step_s": round(elapsed / steps, 4),
            "samples_per_s": round(samples / elapsed, 2), "tokens_per_s": round(tokens / elapsed, 1),
            "trained_tokens_per_step": round(trained / steps, 1), "tokens_per_step": round(tokens / steps, 1),
            "peak_mem_gb": round(torch.cuda.max_memory_allocated() / 2**30, 2),
            "loss_first": values[0], "loss_last": values[-1], "loss_finite": all(v == v and abs(v) < 1e9 for v in values)}


def run_ours(processor, batches, steps, warmup) -> dict:
    import torch

    from llava_studio_worker.config import TrainConfig
    from llava_studio_worker.model_setup import Precision, make_trainable, parameter_counts, trainable_groups

    config = TrainConfig.from_dict({"model": "random-llava-1.5-7b", "dataset": {"path": "synthetic"},
                                    "output_dir": "/tmp/bench"})
    model = build_llava_7b(processor.tokenizer.convert_tokens_to_ids("<image>"), torch.bfloat16)
    model, report = make_trainable(model, config, Precision("bf16"))
    groups = trainable_groups(model.named_parameters(), config.lr, config.projector_lr)
    for group in groups:
        group.pop("name")
    optimizer = torch.optim.AdamW(groups, lr=config.lr, weight_decay=0.0, fused=True)
    figures = timed_steps(model, optimizer, batches, steps, warmup, torch.bfloat16)
    figures.update(parameter_counts(model), **report, precision="bf16", lora_r=config.lora.r,
                   gradient_checkpointing=True, labels="assistant-only")
    del model, optimizer
    return figures


def run_seed(processor, batches, steps, warmup) -> dict:
    import torch
    from peft import LoraConfig, get_peft_model

    from llava_studio_worker.model_setup import parameter_counts, select_lora_targets

    model = build_llava_7b(processor.tokenizer.convert_tokens_to_ids("<image>"), torch.float16)
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=8, lora_dropout=0.1, target_modules="all-linear",
                                             task_type="CAUSAL_LM"))
    lora_names = [n for n, _ in model.named_modules() if n.endswith(".lora_A")]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1.4e-5, fused=True)
    seed_batches = []
    for b in batches:
        labels = b["input_ids"].clone()
        labels[b["attention_mask"] == 0] = -100
        seed_batches.append({**b, "labels": labels})
    figures = timed_steps(model, optimizer, seed_batches, steps, warmup, torch.float16,
                          scaler=torch.amp.GradScaler("cuda"))
    figures.update(parameter_counts(model), lora_modules=len(lora_names),
                   lora_modules_in_vision_tower=len(select_lora_targets(lora_names, r".*vision_tower.*")),
                   precision="fp16", lora_r=8, gradient_checkpointing=False, labels="all tokens")
    del model, optimizer
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    import torch

    if not torch.cuda.is_available():
        print("error: torch.cuda.is_available() is False: this benchmark needs a CUDA GPU", file=sys.stderr)
        Path(args.out).write_text(json.dumps({"error": "no CUDA device"}))
        return 2
    import peft
    import transformers

    from llava_studio_worker.collate import ImageTokenCounter, PromptBuilder, VisionChatCollator

    processor = build_processor()
    image_id = processor.tokenizer.convert_tokens_to_ids("<image>")
    builder = PromptBuilder(processor, "<image>", image_id)
    counter = ImageTokenCounter(processor, "<image>", image_id)
    collator = VisionChatCollator(builder, counter)
    samples = make_samples(args.batch * 3)
    started = time.perf_counter()
    batches = [collator(samples[i:i + args.batch]) for i in range(0, len(samples), args.batch)]
    collate_s = time.perf_counter() - started
    batches = [{k: v.to("cuda") for k, v in b.items()} for b in batches]
    result = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
              "transformers": transformers.__version__, "peft": peft.__version__,
              "architecture": "LLaVA-1.5-7B shapes (CLIP ViT-L/14-336 + Llama-7B), random weights",
              "batch": args.batch, "image_tokens_per_image": counter.constant,
              "collator_samples_per_s_cpu": round(len(samples) / collate_s, 1)}
    for name, run in (("ours", run_ours), ("seed", run_seed)):
        t0 = time.perf_counter()
        try:
            result[name] = run(processor, batches, args.steps, args.warmup)
        except Exception as error:  # report and go on to the other configuration
            result[name] = {"error": f"{type(error).__name__}: {error}"[:2000]}
        result[name]["wall_s"] = round(time.perf_counter() - t0, 1)
        gc.collect()
        torch.cuda.empty_cache()
        print(json.dumps({name: result[name]}), flush=True)
    if "samples_per_s" in result["ours"] and "samples_per_s" in result["seed"]:
        result["ours_vs_seed"] = {
            "samples_per_s": round(result["ours"]["samples_per_s"] / result["seed"]["samples_per_s"], 3),
            "peak_mem": round(result["ours"]["peak_mem_gb"] / result["seed"]["peak_mem_gb"], 3)}
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
