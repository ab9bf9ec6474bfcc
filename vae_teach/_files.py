"""File helpers shared by the data loader (MD5 of downloads) and checkpoints (SHA-256)."""
from __future__ import annotations

import hashlib


def file_hexdigest(path, algorithm: str) -> str:
    """Hex digest of the file at ``path`` with ``algorithm`` ("md5", "sha256"), in 1 MiB chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
