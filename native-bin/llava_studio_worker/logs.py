"""Human-readable logs: <run>/train.log (and stderr), never the events channel."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from .events import is_main_process

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LIBRARY_LOGGERS = ("llava_studio_worker", "transformers", "peft", "accelerate", "py.warnings")


def configure_logging(run_dir: str | None, level: int = logging.INFO) -> None:
    """Send our logs and the libraries' logs to train.log (rank 0) and stderr, once per process."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if run_dir and is_main_process():
        Path(run_dir).mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(os.path.join(run_dir, "train.log"), encoding="utf-8"))
    formatter = logging.Formatter(FORMAT)
    for handler in handlers:
        handler.setFormatter(formatter)
    logging.captureWarnings(True)
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        for handler in handlers:
            logger.addHandler(handler)
        logger.setLevel(level if name == "llava_studio_worker" else logging.WARNING)
        logger.propagate = False


def quiet_transformers_defaults() -> None:
    """transformers installs its own stderr handler on first use; route it through ours instead."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:
        return
    hf_logging.disable_default_handler()
    hf_logging.set_verbosity_warning()
