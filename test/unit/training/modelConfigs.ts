/**
 * config.json files of public models, as their Hub repos publish them (only the fields that shape the
 * network; tokenizer ids and the like left out). Defaults a config omits are transformers' defaults.
 */

/** llava-hf/llava-1.5-7b-hf: text_config leaves everything but vocab_size at LlamaConfig's defaults. */
export const llava15_7b = {
  architectures: ['LlavaForConditionalGeneration'],
  model_type: 'llava',
  image_token_index: 32000,
  projector_hidden_act: 'gelu',
  text_config: { _name_or_path: 'lmsys/vicuna-7b-v1.5', architectures: ['LlamaForCausalLM'], max_position_embeddings: 4096, model_type: 'llama', rms_norm_eps: 1e-5, torch_dtype: 'float16', vocab_size: 32064 },
  tie_word_embeddings: false,
  torch_dtype: 'float16',
  vision_config: { hidden_size: 1024, image_size: 336, intermediate_size: 4096, model_type: 'clip_vision_model', num_attention_heads: 16, num_hidden_layers: 24, patch_size: 14, projection_dim: 768, vocab_size: 32000 },
  vision_feature_layer: -2,
  vision_feature_select_strategy: 'default',
  vocab_size: 32064,
};

/** llava-hf/llava-v1.6-mistral-7b-hf: anyres tiling over image_grid_pinpoints. */
export const llava16_mistral_7b = {
  architectures: ['LlavaNextForConditionalGeneration'],
  model_type: 'llava_next',
  image_grid_pinpoints: [[336, 672], [672, 336], [672, 672], [1008, 336], [336, 1008]],
  image_token_index: 32000,
  projector_hidden_act: 'gelu',
  text_config: { _name_or_path: 'mistralai/Mistral-7B-Instruct-v0.2', architectures: ['MistralForCausalLM'], intermediate_size: 14336, max_position_embeddings: 32768, model_type: 'mistral', num_key_value_heads: 8, rms_norm_eps: 1e-5, rope_theta: 1000000.0, sliding_window: null, torch_dtype: 'bfloat16', vocab_size: 32064 },
  tie_word_embeddings: false,
  use_image_newline_parameter: true,
  vision_config: { hidden_size: 1024, image_size: 336, intermediate_size: 4096, model_type: 'clip_vision_model', num_attention_heads: 16, num_hidden_layers: 24, patch_size: 14, projection_dim: 768, vocab_size: 32000 },
  vision_feature_layer: -2,
  vision_feature_select_strategy: 'default',
  vocab_size: 32064,
};

/** Qwen/Qwen2-VL-2B-Instruct: text fields at the top level, a patch-merging ViT (dynamic resolution). */
export const qwen2vl_2b = {
  architectures: ['Qwen2VLForConditionalGeneration'], model_type: 'qwen2_vl',
  hidden_size: 1536, intermediate_size: 8960, num_attention_heads: 12, num_hidden_layers: 28, num_key_value_heads: 2,
  tie_word_embeddings: true, vocab_size: 151936,
  vision_config: { depth: 32, embed_dim: 1280, mlp_ratio: 4, num_heads: 16, in_chans: 3, hidden_size: 1536, patch_size: 14, spatial_merge_size: 2, spatial_patch_size: 14, temporal_patch_size: 2 },
};

/** HuggingFaceTB/SmolVLM-256M-Instruct: Idefics3 with a pixel-shuffle connector (scale_factor 4). */
export const smolvlm_256m = {
  architectures: ['Idefics3ForConditionalGeneration'], model_type: 'idefics3', scale_factor: 4,
  text_config: { model_type: 'llama', hidden_size: 576, intermediate_size: 1536, num_attention_heads: 9, num_hidden_layers: 30, num_key_value_heads: 3, vocab_size: 49280, tie_word_embeddings: false },
  vision_config: { hidden_size: 768, image_size: 512, intermediate_size: 3072, model_type: 'idefics3_vision', num_attention_heads: 12, num_hidden_layers: 12, patch_size: 16 },
};
