"""A secret kept in a file, made on first use: written whole to a private temporary file,
then linked into place. link() fails if the file exists, so when two processes start
together one secret wins, the other process reads it, and nobody reads a half-written file
or overwrites a secret in use."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path


def load_or_create(path: Path, make: Callable[[], str]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make() + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
