"""The log's signing key: a file in ANXIN_KEYS_DIR, created on first use, never in the
database. Its name is the log's origin (ANXIN_LOG_ORIGIN)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from anxin.evidence.note import NoteError, Signer, Verifier

_lock = threading.Lock()
_cache: dict[tuple[str, str], Signer] = {}


def key_path() -> Path:
    return Path(settings.ANXIN_KEYS_DIR) / "log.skey"


def log_signer() -> Signer:
    origin = settings.ANXIN_LOG_ORIGIN
    path = key_path()
    with _lock:
        if (origin, str(path)) in _cache:
            return _cache[(origin, str(path))]
        signer = _load_or_create(path, origin)
        _cache[(origin, str(path))] = signer
        return signer


def log_verifier() -> Verifier:
    return log_signer().verifier()


def _load_or_create(path: Path, origin: str) -> Signer:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fresh = Signer.generate(origin)
        # Written whole to a private temporary file, then linked into place: link() fails if
        # the key exists, so when two processes start together one key wins, the other process
        # reads it, and nobody ever reads a half-written file or overwrites a key in use.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(fresh.skey() + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    text = path.read_text().strip()
    try:
        signer = Signer.from_skey(text)
    except NoteError as e:
        raise ImproperlyConfigured(f"evidence log key {path}: {e}") from None
    if signer.name != origin:
        raise ImproperlyConfigured(
            f"evidence log key {path} is for {signer.name!r}, but ANXIN_LOG_ORIGIN is {origin!r}"
        )
    return signer
