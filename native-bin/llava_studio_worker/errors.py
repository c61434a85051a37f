"""Errors the worker reports to its caller, and the exit codes that go with them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

EXIT_OK = 0  # finished, or stopped gracefully
EXIT_FAILED = 1  # training/serving failed at run time
EXIT_INVALID = 2  # bad command line, run.json, dataset or resume target
EXIT_MISSING_DEPENDENCY = 3  # a needed Python package is not installed

REQUIREMENTS_TXT = Path(__file__).resolve().parent.parent / "requirements.txt"

# What train/serve need, in the order they are checked (the first missing one is reported).
TRAINING_STACK = ("torch", "transformers", "peft", "accelerate")


class WorkerError(Exception):
    """An error with a hint for the user and the exit code the process should end with."""

    def __init__(self, message: str, hint: str = "", exit_code: int = EXIT_FAILED):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code


class ConfigError(WorkerError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message, hint, EXIT_INVALID)


class DataError(WorkerError):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message, hint, EXIT_INVALID)


def install_hint() -> str:
    return f"pip install -r {REQUIREMENTS_TXT}"


def missing_dependency(package: str, pip_name: str | None = None) -> WorkerError:
    """The error for a package that is not importable from this interpreter.

    For the training stack the message is exactly
    `<package> is not installed in <sys.executable>: pip install -r <abs path of requirements.txt>`.
    """
    if pip_name is None and package in TRAINING_STACK:
        fix = install_hint()
    else:
        fix = f"pip install {pip_name or package}"
    message = f"{package} is not installed in {sys.executable}: {fix}"
    return WorkerError(message, fix, EXIT_MISSING_DEPENDENCY)


def first_missing(packages: tuple[str, ...] = TRAINING_STACK) -> str | None:
    """The first of `packages` that cannot be imported, found without importing any of them."""
    for name in packages:
        if importlib.util.find_spec(name) is None:
            return name
    return None


def require(packages: tuple[str, ...] = TRAINING_STACK) -> None:
    missing = first_missing(packages)
    if missing is not None:
        raise missing_dependency(missing)
