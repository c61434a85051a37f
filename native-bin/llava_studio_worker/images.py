"""Image references: resolving them against the dataset's folders, checking and opening them.

Pillow is imported only when an image is actually opened or measured.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from .samples import ImageRef, RowError


class ImageResolver:
    """Resolves a row's image value (path string, {bytes, path} struct, or raw bytes) to an ImageRef.

    Relative paths are looked up in `images_dir` when given, else next to the dataset file.
    """

    def __init__(self, base_dir: str | os.PathLike, images_dir: str | None = None):
        self.base_dir = Path(base_dir)
        self.images_dir = Path(images_dir) if images_dir else None

    def resolve_path(self, value: str) -> str:
        path = Path(os.path.expanduser(value))
        if path.is_absolute():
            return str(path)
        root = self.images_dir or self.base_dir
        return str(root / path)

    def __call__(self, value: Any) -> ImageRef:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return ImageRef(data=bytes(value))
        if isinstance(value, dict):  # HF Image feature: {"bytes": ..., "path": ...}
            data = value.get("bytes")
            if data:
                return ImageRef(path=value.get("path") or None, data=bytes(data))
            value = value.get("path")
        if isinstance(value, str) and value:
            if value.startswith(("http://", "https://")):
                raise RowError("remote image", f"{value[:80]} (download images first: training runs offline)")
            return ImageRef(path=self.resolve_path(value))
        raise RowError("bad image value", f"{type(value).__name__}")


def image_exists(ref: ImageRef) -> bool:
    return ref.data is not None or (ref.path is not None and os.path.isfile(ref.path))


def open_image(ref: ImageRef):
    """Decode to an RGB PIL image (raises OSError/ValueError on a missing or corrupt file)."""
    from PIL import Image

    if ref.data is not None:
        image = Image.open(io.BytesIO(ref.data))
    else:
        image = Image.open(ref.path)
    image.load()
    return image.convert("RGB") if image.mode != "RGB" else image


def image_size(ref: ImageRef) -> tuple[int, int]:
    """(height, width) read from the header only."""
    from PIL import Image

    source = io.BytesIO(ref.data) if ref.data is not None else ref.path
    with Image.open(source) as image:
        width, height = image.size
    return height, width
