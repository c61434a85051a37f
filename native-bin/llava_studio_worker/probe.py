"""Print this Python environment as ONE JSON object on stdout.

    python -m llava_studio_worker.probe

{"python": "3.11.2", "executable": "/usr/bin/python3",
 "packages": {"torch": "2.11.0" | null, "transformers": ..., "peft", "accelerate", "bitsandbytes",
              "tensorboard", "pyarrow", "pillow", "safetensors", "datasets", "huggingface_hub"},
 "cuda": {"available": bool, "version": "13.0" | null} | null,    (null: torch not installed)
 "gpus": [{"name", "total_mb", "free_mb"}], "bf16": bool, "errors": [str]}

Versions come from package metadata; only torch is imported (and only when installed), to ask
about CUDA. Without torch, GPUs are listed from nvidia-smi when it exists.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import platform
import shutil
import subprocess
import sys

PACKAGES = ("torch", "transformers", "peft", "accelerate", "bitsandbytes", "tensorboard", "pyarrow",
            "pillow", "safetensors", "datasets", "huggingface_hub")
IMPORT_NAMES = {"pillow": "PIL"}


def package_version(name: str) -> str | None:
    for candidate in (name, name.replace("_", "-"), name.capitalize()):
        try:
            return importlib.metadata.version(candidate)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _gpus_from_nvidia_smi() -> list[dict]:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return []
    try:
        out = subprocess.run([exe, "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = []
    for line in out.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            gpus.append({"name": parts[0], "total_mb": int(parts[1]), "free_mb": int(parts[2])})
    return gpus


def _torch_facts(errors: list[str]) -> tuple[dict | None, list[dict], bool]:
    if importlib.util.find_spec("torch") is None:
        return None, _gpus_from_nvidia_smi(), False
    try:
        import torch
    except Exception as error:  # a broken torch install must not hide the rest of the probe
        errors.append(f"import torch failed: {type(error).__name__}: {error}")
        return {"available": False, "version": None}, _gpus_from_nvidia_smi(), False

    available = torch.cuda.is_available()
    cuda = {"available": available, "version": torch.version.cuda}
    gpus = []
    if available:
        for index in range(torch.cuda.device_count()):
            free, total = torch.cuda.mem_get_info(index)
            gpus.append({"name": torch.cuda.get_device_name(index), "total_mb": total // 2**20,
                         "free_mb": free // 2**20})
    bf16 = bool(available and torch.cuda.is_bf16_supported())
    return cuda, gpus, bf16


def probe() -> dict:
    packages = {}
    for name in PACKAGES:
        version = package_version(name)
        if version is not None and importlib.util.find_spec(IMPORT_NAMES.get(name, name)) is None:
            version = None  # metadata left behind by a broken install
        packages[name] = version
    errors: list[str] = []
    cuda, gpus, bf16 = _torch_facts(errors)
    return {"python": platform.python_version(), "executable": sys.executable, "packages": packages,
            "cuda": cuda, "gpus": gpus, "bf16": bf16, "errors": errors}


def main() -> int:
    print(json.dumps(probe()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
