/** Which files of a transformers.js model repo a chat needs (one dtype variant, not all of them). */

const CONFIG_FILES = new Set([
  'config.json', 'generation_config.json', 'preprocessor_config.json', 'processor_config.json',
  'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'chat_template.json', 'chat_template.jinja',
  'added_tokens.json', 'vocab.json', 'merges.txt',
]);

const SESSIONS = ['vision_encoder', 'embed_tokens', 'decoder_model_merged', 'encoder_model'];

/**
 * A filter for listFiles paths: the config/tokenizer files at the top and, under onnx/, the four
 * session files with this dtype's suffix plus their external-data parts (`.onnx_data`, `.onnx_data_1`…).
 */
export function modelFileFilter(suffix: string): (path: string) => boolean {
  const onnx = new Set(SESSIONS.map((session) => `onnx/${session}${suffix}.onnx`));
  return (path) => {
    if (CONFIG_FILES.has(path)) return true;
    const base = path.replace(/\.onnx_data(_\d+)?$/, '.onnx');
    return onnx.has(base);
  };
}
