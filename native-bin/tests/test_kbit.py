"""QLoRA's fp32 parameters, chosen without torch: only the language model's norms, never the vision tower."""

from llava_studio_worker.model_setup import kbit_fp32_names


class Param:
    def __init__(self, dtype: str = "torch.bfloat16"):
        self.dtype = dtype


class Params4bit(Param):
    """bitsandbytes' 4-bit weight class (matched by name, as peft does)."""


# transformers 5 LLaVA-1.5 names, plus Qwen-style q_norm and a GPT-style ln_f.
NAMES = {
    "model.vision_tower.vision_model.embeddings.patch_embedding.weight": False,
    "model.vision_tower.vision_model.pre_layrnorm.weight": False,
    "model.vision_tower.vision_model.encoder.layers.0.layer_norm1.weight": False,
    "model.vision_tower.vision_model.encoder.layers.0.self_attn.q_proj.weight": False,
    "model.vision_tower.vision_model.post_layernorm.bias": False,
    "model.multi_modal_projector.linear_1.weight": False,
    "model.language_model.embed_tokens.weight": False,
    "model.language_model.layers.0.self_attn.q_proj.weight": False,
    "model.language_model.layers.0.self_attn.q_norm.weight": True,
    "model.language_model.layers.0.input_layernorm.weight": True,
    "model.language_model.layers.0.post_attention_layernorm.weight": True,
    "model.language_model.norm.weight": True,
    "model.language_model.ln_f.bias": True,
    "lm_head.weight": False,
}


def test_only_the_language_models_half_precision_norms_go_to_fp32():
    named = [(name, Param()) for name in NAMES]
    assert kbit_fp32_names(named) == [name for name, fp32 in NAMES.items() if fp32]


def test_4bit_and_already_fp32_parameters_are_left_alone():
    named = [("model.language_model.norm.weight", Param("torch.float32")),
             ("model.language_model.layers.0.input_layernorm.weight", Params4bit()),
             ("model.language_model.layers.1.input_layernorm.weight", Param("torch.float16"))]
    assert kbit_fp32_names(named) == ["model.language_model.layers.1.input_layernorm.weight"]
