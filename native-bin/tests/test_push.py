import io
import sys
from pathlib import Path

import pytest
from conftest import has

from llava_studio_worker import push
from llava_studio_worker.errors import WorkerError


class Stdin(io.StringIO):
    def __init__(self, text: str, tty: bool = False):
        super().__init__(text)
        self.tty = tty

    def isatty(self):
        return self.tty


def finished_run(tmp_path: Path) -> Path:
    (tmp_path / "final").mkdir(parents=True)
    for name in ("adapter_model.safetensors", "adapter_config.json", "README.md"):
        (tmp_path / "final" / name).write_text("x")
    return tmp_path


def test_token_from_env_first_then_stdin_never_argv():
    assert push.read_token({"HF_TOKEN": " hf_env \n"}, Stdin("hf_stdin\n")) == "hf_env"
    assert push.read_token({}, Stdin("hf_stdin\nrest")) == "hf_stdin"
    with pytest.raises(WorkerError, match="no Hub token"):
        push.read_token({}, Stdin("", tty=True))
    with pytest.raises(SystemExit):  # there is no --token option to leak a secret into `ps`
        push.main(["--run", "r", "--repo-id", "a/b", "--token", "x"], environ={}, stdin=Stdin(""))


def test_a_run_without_final_weights_is_refused(tmp_path: Path, capsys):
    assert push.main(["--run", str(tmp_path), "--repo-id", "me/x"], environ={"HF_TOKEN": "t"}) == 2
    assert "final: not found" in capsys.readouterr().err
    (tmp_path / "final").mkdir()
    assert push.main(["--run", str(tmp_path), "--repo-id", "me/x"], environ={"HF_TOKEN": "t"}) == 2


def test_bad_repo_id(tmp_path: Path, capsys):
    assert push.main(["--run", str(finished_run(tmp_path)), "--repo-id", "nope"], environ={"HF_TOKEN": "t"}) == 2
    assert "expected OWNER/NAME" in capsys.readouterr().err


@pytest.mark.skipif(has("huggingface_hub"), reason="huggingface_hub is installed here")
def test_missing_huggingface_hub_is_exit_3(tmp_path: Path, capsys):
    code = push.main(["--run", str(finished_run(tmp_path)), "--repo-id", "me/x"], environ={"HF_TOKEN": "t"})
    assert code == 3
    assert capsys.readouterr().err.startswith(f"huggingface_hub is not installed in {sys.executable}: "
                                              "pip install huggingface_hub")
