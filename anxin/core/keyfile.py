"""A secret kept in a file, made on first use: written whole to a private temporary file,
then linked into place. link() fails if the file exists, so when two processes start
together one secret wins, the other process reads it, and nobody reads a half-written file
or overwrites a secret in use."""

from __future__ import annotations

import base64
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


_lock = threading.Lock()
_secrets: dict[str, bytes] = {}


def secret_key(name: str) -> bytes:
    """32 random bytes kept in the file `name` of settings.ANXIN_KEYS_DIR (made on first use),
    read once per process: the keys of Anxin's MACs and sealed fields."""
    from django.conf import settings

    path = Path(settings.ANXIN_KEYS_DIR) / name
    with _lock:
        if str(path) not in _secrets:
            text = load_or_create(path, lambda: base64.b64encode(os.urandom(32)).decode())
            _secrets[str(path)] = base64.b64decode(text)
        return _secrets[str(path)]
