"""Reading dataset files into plain row dicts: JSON, JSON Lines, Parquet and save_to_disk Arrow.

pyarrow is imported only for Parquet/Arrow; the `datasets` package is never needed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

from .errors import DataError, missing_dependency


def detect_container(path: str, fmt: str = "auto") -> str:
    """'json' | 'jsonl' | 'parquet' | 'arrow' for a file or folder path."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"dataset not found: {path}", "check config.dataset.path")
    if fmt == "hf-parquet":
        return "parquet"
    if fmt == "hf-arrow":
        return "arrow"
    if p.is_dir():
        if (p / "dataset_dict.json").is_file() or (p / "state.json").is_file() or any(p.glob("*.arrow")):
            return "arrow"
        if _parquet_files(p):
            return "parquet"
        raise DataError(f"{path}: folder has no dataset_dict.json, state.json, *.arrow or *.parquet",
                        "point config.dataset.path at the dataset file or its save_to_disk folder")
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix == ".parquet":
        return "parquet"
    if suffix == ".arrow":
        return "arrow"
    raise DataError(f"{path}: unknown dataset file type {suffix!r}",
                    "use .json, .jsonl, .parquet, a save_to_disk folder, or set config.dataset.format")


def read_rows(path: str, fmt: str = "auto") -> list[dict]:
    container = detect_container(path, fmt)
    if container == "jsonl":
        return list(_jsonl_rows(path))
    if container == "json":
        return _json_rows(path)
    if container == "parquet":
        return list(_parquet_rows(path))
    return list(_arrow_rows(path))


def _jsonl_rows(path: str) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(f"{path}: line {number}: not valid JSON ({error.msg}, column {error.colno})",
                                "fix or remove that line") from None


def _json_rows(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # JSON Lines saved as .json
            return list(_jsonl_rows(path))
        raise DataError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))  # {"train": [...]}
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a JSON array of rows, got {type(data).__name__}")
    return data


def _import_pyarrow():
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise missing_dependency("pyarrow") from None
    import pyarrow.ipc
    import pyarrow.parquet

    return pyarrow


def _parquet_files(folder: Path) -> list[Path]:
    files = sorted(folder.glob("*.parquet")) or sorted(folder.glob("data/*.parquet"))
    train = [f for f in files if f.name.startswith("train")]
    return train or files


def _parquet_rows(path: str) -> Iterator[dict]:
    pa = _import_pyarrow()
    p = Path(path)
    for file in _parquet_files(p) if p.is_dir() else [p]:
        try:
            parquet = pa.parquet.ParquetFile(file)
        except (pa.ArrowException, OSError) as error:
            raise DataError(f"{file}: not a readable Parquet file ({error})") from None
        for batch in parquet.iter_batches(batch_size=512):
            yield from batch.to_pylist()


def arrow_files(path: str) -> list[Path]:
    """The data-*.arrow files of a save_to_disk folder (DatasetDict: its 'train' split)."""
    p = Path(path)
    if p.is_file():
        return [p]
    if (p / "dataset_dict.json").is_file():
        splits = json.loads((p / "dataset_dict.json").read_text(encoding="utf-8")).get("splits") or []
        if not splits:
            raise DataError(f"{p / 'dataset_dict.json'}: no splits listed")
        p = p / ("train" if "train" in splits else splits[0])
    state = p / "state.json"
    if state.is_file():
        names = [f["filename"] for f in json.loads(state.read_text(encoding="utf-8")).get("_data_files", [])]
        files = [p / name for name in names]
    else:
        files = sorted(p.glob("*.arrow"))
    if not files:
        raise DataError(f"{p}: no .arrow data files", "save the dataset with Dataset.save_to_disk")
    return files


def _arrow_rows(path: str) -> Iterator[dict]:
    pa = _import_pyarrow()
    for file in arrow_files(path):
        with pa.memory_map(str(file), "r") as source:
            try:
                reader = pa.ipc.open_stream(source)  # save_to_disk writes the IPC stream format
            except pa.ArrowInvalid:
                reader = pa.ipc.open_file(source)
                for i in range(reader.num_record_batches):
                    yield from reader.get_batch(i).to_pylist()
                continue
            for batch in reader:
                yield from batch.to_pylist()


def dataset_base_dir(path: str) -> str:
    """The folder relative image paths are resolved against when no images_dir is given."""
    return path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
