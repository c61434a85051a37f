import json
import subprocess
import sys

from conftest import has, worker_env

from llava_studio_worker.probe import PACKAGES, package_version, probe


def test_probe_prints_one_json_object_with_the_documented_shape():
    result = subprocess.run([sys.executable, "-m", "llava_studio_worker.probe"], env=worker_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    facts = json.loads(lines[0])
    assert set(facts) == {"python", "executable", "packages", "cuda", "gpus", "bf16", "errors"}
    assert facts["executable"] == sys.executable
    assert facts["python"] == ".".join(map(str, sys.version_info[:3]))
    assert set(facts["packages"]) == set(PACKAGES)
    assert all(v is None or isinstance(v, str) for v in facts["packages"].values())
    assert isinstance(facts["gpus"], list) and isinstance(facts["bf16"], bool)
    for gpu in facts["gpus"]:
        assert set(gpu) == {"name", "total_mb", "free_mb"}
    if has("torch"):
        assert set(facts["cuda"]) == {"available", "version"}
    else:
        assert facts["cuda"] is None and facts["packages"]["torch"] is None and facts["bf16"] is False


def test_probe_reads_versions_without_importing_the_packages():
    code = ("import sys, llava_studio_worker.probe as p; p.probe(); "
            "print([m for m in ('transformers', 'peft', 'accelerate', 'pyarrow', 'PIL', 'datasets', "
            "'tensorboard', 'bitsandbytes', 'huggingface_hub') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], env=worker_env(), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_package_version_of_something_installed_and_something_not():
    assert package_version("pytest") is not None
    assert package_version("surely-not-a-package-xyz") is None
    assert probe()["packages"]["pillow"] == (package_version("pillow") if has("PIL") else None)
