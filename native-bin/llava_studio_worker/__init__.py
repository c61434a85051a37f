"""LLaVA Studio's Python worker: training, chat serving, environment probe and Hub upload.

Entry points (each a module with a runnable command line in its docstring):
    python -m llava_studio_worker.train --config RUN/run.json [--resume latest|checkpoint-N] [--validate-only]
    python -m llava_studio_worker.serve --model MODEL [--adapter CHECKPOINT] [--idle-timeout S]
    python -m llava_studio_worker.probe
    python -m llava_studio_worker.push --run RUN --repo-id ORG/NAME [--private]

Everything importable from this package without torch stays torch-free at import time; the
heavy stack (torch, transformers, peft) is imported inside the functions that need it.
"""

__version__ = "0.1.0"

# Version of the events.jsonl schema (the `v` field of every event).
EVENTS_SCHEMA_VERSION = 1
