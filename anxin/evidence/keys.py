"""The log's signing key: a file in ANXIN_KEYS_DIR, created on first use, never in the
database. Its name is the log's origin (ANXIN_LOG_ORIGIN)."""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from anxin.core.keyfile import load_or_create
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
    text = load_or_create(path, lambda: Signer.generate(origin).skey())
    try:
        signer = Signer.from_skey(text)
    except NoteError as e:
        raise ImproperlyConfigured(f"evidence log key {path}: {e}") from None
    if signer.name != origin:
        raise ImproperlyConfigured(
            f"evidence log key {path} is for {signer.name!r}, but ANXIN_LOG_ORIGIN is {origin!r}"
        )
    return signer
