"""Upload a finished run's adapter folder (<run>/final) to the Hugging Face Hub.

    HF_TOKEN=... python -m llava_studio_worker.push --run RUN --repo-id OWNER/NAME [--private]
    printf '%s\\n' "$TOKEN" | python -m llava_studio_worker.push --run RUN --repo-id OWNER/NAME

The token is read ONLY from the HF_TOKEN environment variable or the first line of stdin, never
from the command line (argv is visible to every user of the machine). Prints one JSON object
{"repo_id", "url", "private", "files"} on success. Exit 2: bad arguments or no final/ folder or no
token; 3: huggingface_hub missing; 1: the upload failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from typing import TextIO

from .errors import EXIT_FAILED, EXIT_INVALID, EXIT_OK, WorkerError, missing_dependency

REQUIRED_ANY = ("adapter_model.safetensors", "projector.safetensors")


def read_token(environ: dict, stdin: TextIO) -> str:
    token = environ.get("HF_TOKEN", "").strip()
    if token:
        return token
    if stdin is not None and not stdin.isatty():
        token = stdin.readline().strip()
    if not token:
        raise WorkerError("no Hub token: set HF_TOKEN or write the token on stdin",
                          "create a write token at https://huggingface.co/settings/tokens", EXIT_INVALID)
    return token


def final_folder(run_dir: str) -> str:
    folder = os.path.join(run_dir, "final")
    if not os.path.isdir(folder):
        raise WorkerError(f"{folder}: not found", "push a run that finished training", EXIT_INVALID)
    present = set(os.listdir(folder))
    if not present.intersection(REQUIRED_ANY) or "README.md" not in present:
        raise WorkerError(f"{folder}: no adapter/projector weights or README.md",
                          "push a run that finished training", EXIT_INVALID)
    return folder


def push_folder(folder: str, repo_id: str, private: bool, token: str) -> str:
    if importlib.util.find_spec("huggingface_hub") is None:
        raise missing_dependency("huggingface_hub")
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    try:
        repo = api.create_repo(repo_id=repo_id, private=private, exist_ok=True, repo_type="model")
        api.upload_folder(folder_path=folder, repo_id=repo_id, repo_type="model",
                          commit_message="Upload adapter trained with LLaVA Studio")
    except Exception as error:  # network, auth and permission errors all end the same way
        raise WorkerError(f"upload to {repo_id} failed: {type(error).__name__}: {error}",
                          "check the token has write access and the network reaches the Hub", EXIT_FAILED) from None
    return str(getattr(repo, "url", f"https://huggingface.co/{repo_id}"))


def main(argv: list[str] | None = None, environ: dict | None = None, stdin: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llava_studio_worker.push", description=__doc__.split("\n")[0])
    parser.add_argument("--run", required=True, help="the run folder (its final/ subfolder is uploaded)")
    parser.add_argument("--repo-id", required=True, help="OWNER/NAME on the Hub")
    parser.add_argument("--private", action="store_true", help="create the repo as private")
    args = parser.parse_args(argv)
    try:
        if args.repo_id.count("/") != 1:
            raise WorkerError(f"--repo-id {args.repo_id}: expected OWNER/NAME", "", EXIT_INVALID)
        folder = final_folder(args.run)
        token = read_token(os.environ if environ is None else environ, sys.stdin if stdin is None else stdin)
        url = push_folder(folder, args.repo_id, args.private, token)
    except WorkerError as error:
        print(error.message, file=sys.stderr)
        if error.hint:
            print(f"hint: {error.hint}", file=sys.stderr)
        return error.exit_code
    print(json.dumps({"repo_id": args.repo_id, "url": url, "private": args.private,
                      "files": sorted(os.listdir(folder))}))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
