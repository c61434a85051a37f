from llava_studio_worker.card import hub_dataset_id, model_card
from llava_studio_worker.config import TrainConfig


def card(**changes):
    raw = {"model": "llava-hf/llava-1.5-7b-hf", "dataset": {"path": "/data/pets/train.jsonl"},
           "output_dir": "/runs/pets-lora", **changes}
    return model_card(TrainConfig.from_dict(raw), "bf16", {"train_loss": 0.61234, "eval_loss": 0.7, "epoch": 1.0},
                      {"train_samples": 900, "eval_samples": 100}, "pets-lora")


def front_matter(text: str) -> list[str]:
    lines = text.splitlines()
    assert lines[0] == "---"
    return lines[1:lines.index("---", 1)]


def test_front_matter_for_a_lora_adapter():
    meta = front_matter(card())
    assert meta[:3] == ['base_model: "llava-hf/llava-1.5-7b-hf"', "library_name: peft",
                        "pipeline_tag: image-text-to-text"]
    assert meta[3:] == ["tags:", "- llava-studio", "- lora", "- image-text-to-text", "- vision-language"]


def test_hub_datasets_are_listed_and_local_paths_are_not():
    meta = front_matter(card(dataset={"path": "lmms-lab/LLaVA-OneVision-Data"}))
    assert meta[-2:] == ["datasets:", '- "lmms-lab/LLaVA-OneVision-Data"']
    assert hub_dataset_id("/data/pets/train.jsonl") is None


def test_body_has_hyperparameters_and_final_metrics():
    text = card(method="qlora")
    assert "# pets-lora" in text and "| lora r | 64 |" in text and "| optimizer | paged_adamw_32bit |" in text
    assert "| max grad norm | 0.3 |" in text and "| precision | bf16 |" in text
    assert "| train_loss | 0.6123 |" in text and "| eval_loss | 0.7 |" in text
    assert "- train samples: 900" in text
    assert "PeftModel.from_pretrained" in text


def test_projector_only_card_is_not_a_peft_card():
    text = card(method="projector")
    assert "library_name: peft" not in text and "- projector" in text and "lora r" not in text
