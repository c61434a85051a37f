"""TrainingArguments keywords and LoRA targeting, checked without transformers."""

from llava_studio_worker.config import LM_TARGET_REGEX, TrainConfig
from llava_studio_worker.model_setup import Precision, choose_precision, select_lora_targets, trainable_groups
from llava_studio_worker.trainer_setup import tensorboard_dir, training_arguments_kwargs

# Fields of TrainingArguments on transformers 5.17 that the builder uses (warmup_ratio and
# logging_dir were removed in 5.15).
V5_17 = {"output_dir", "per_device_train_batch_size", "per_device_eval_batch_size", "gradient_accumulation_steps",
         "learning_rate", "num_train_epochs", "max_steps", "lr_scheduler_type", "warmup_steps", "weight_decay",
         "max_grad_norm", "optim", "bf16", "fp16", "gradient_checkpointing", "gradient_checkpointing_kwargs",
         "logging_strategy", "logging_steps", "logging_first_step", "save_strategy", "save_steps", "save_total_limit",
         "eval_strategy", "eval_steps", "report_to", "remove_unused_columns", "label_names", "seed", "data_seed",
         "dataloader_num_workers", "disable_tqdm", "use_cpu", "enable_jit_checkpoint",
         "prediction_loss_only"}
V4_45 = (V5_17 - {"enable_jit_checkpoint", "eval_strategy"}) | {"warmup_ratio", "logging_dir", "evaluation_strategy"}

CONFIG = TrainConfig.from_dict({"model": "m", "dataset": {"path": "d"}, "output_dir": "/runs/a", "save_steps": 50})


def test_v5_17_arguments():
    kwargs = training_arguments_kwargs(CONFIG, Precision("bf16"), has_eval=True, cuda=True, available_fields=V5_17)
    assert kwargs["warmup_steps"] == 0.03 and "warmup_ratio" not in kwargs and "logging_dir" not in kwargs
    assert kwargs["eval_strategy"] == "steps" and kwargs["eval_steps"] == 50
    assert kwargs["enable_jit_checkpoint"] is True and kwargs["remove_unused_columns"] is False
    assert (kwargs["bf16"], kwargs["fp16"], kwargs["optim"]) == (True, False, "adamw_torch_fused")
    assert kwargs["gradient_checkpointing_kwargs"] == {"use_reentrant": False}
    assert kwargs["label_names"] == ["labels"] and kwargs["learning_rate"] == 2e-4
    assert set(kwargs) <= V5_17


def test_older_transformers_get_warmup_ratio_and_logging_dir(monkeypatch):
    monkeypatch.setenv("TENSORBOARD_LOGGING_DIR", "/runs/a/runs/x")
    kwargs = training_arguments_kwargs(CONFIG, Precision("fp16"), has_eval=False, cuda=True, available_fields=V4_45)
    assert (kwargs["warmup_ratio"], kwargs["warmup_steps"]) == (0.03, 0)
    assert kwargs["logging_dir"] == "/runs/a/runs/x" and kwargs["evaluation_strategy"] == "no"
    assert "enable_jit_checkpoint" not in kwargs and kwargs["fp16"] is True


def test_qlora_arguments():
    qlora = TrainConfig.from_dict({"model": "m", "dataset": {"path": "d"}, "output_dir": "/r", "method": "qlora"})
    kwargs = training_arguments_kwargs(qlora, Precision("bf16"), False, True, V5_17)
    assert (kwargs["optim"], kwargs["max_grad_norm"]) == ("paged_adamw_32bit", 0.3)


def test_precision_choice():
    assert choose_precision(True, True, True).name == "bf16"
    assert choose_precision(True, True, False).name == "fp16"
    assert choose_precision(True, False, False).name == "fp32"
    assert choose_precision(False, True, True).name == "fp32"


LLAVA_MODULES = [
    "model.vision_tower.vision_model.encoder.layers.0.self_attn.q_proj",
    "model.vision_tower.vision_model.encoder.layers.0.mlp.fc1",
    "model.multi_modal_projector.linear_1",
    "model.language_model.layers.0.self_attn.q_proj",
    "model.language_model.layers.0.self_attn.o_proj",
    "model.language_model.layers.0.mlp.down_proj",
    "model.language_model.layers.0.self_attn",
    "lm_head",
]


def test_default_regex_targets_the_language_model_only():
    assert select_lora_targets(LLAVA_MODULES, LM_TARGET_REGEX) == [
        "model.language_model.layers.0.self_attn.q_proj", "model.language_model.layers.0.self_attn.o_proj",
        "model.language_model.layers.0.mlp.down_proj"]
    # transformers 4.x naming (language_model.model.layers...) matches too
    assert select_lora_targets(["language_model.model.layers.3.self_attn.v_proj"], LM_TARGET_REGEX)


class Param:
    def __init__(self, requires_grad=True):
        self.requires_grad = requires_grad


def test_projector_gets_its_own_learning_rate():
    named = [("base_model.model.model.language_model.layers.0.self_attn.q_proj.lora_A.default.weight", Param()),
             ("base_model.model.model.multi_modal_projector.modules_to_save.default.linear_1.weight", Param()),
             ("base_model.model.model.vision_tower.x.weight", Param(False))]
    groups = trainable_groups(named, 2e-4, 2e-5)
    assert [(g["name"], g["lr"], len(g["params"])) for g in groups] == [("lora", 2e-4, 1), ("projector", 2e-5, 1)]


def test_tensorboard_dir_has_the_trainer_folder_shape():
    from datetime import datetime

    path = tensorboard_dir("/runs/a", datetime(2026, 3, 24, 22, 23, 40))
    assert path.startswith("/runs/a/runs/Mar24_22-23-40_")
