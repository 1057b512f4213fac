"""Reading a real provider's configuration: identifiers from settings, keys and certificates
from the files the settings name (README: Payment providers). A missing setting or an
unreadable file is an ImproperlyConfigured that names the setting."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def need(name: str) -> str:
    """The setting `name`, which must be set."""
    value = str(getattr(settings, name))
    if not value:
        raise ImproperlyConfigured(f"{name} is not set (README: Payment providers)")
    return value


def read(name: str) -> str:
    """The text of the file the setting `name` points at."""
    path = Path(need(name))
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise ImproperlyConfigured(f"{name}: cannot read {path}: {e}") from None
