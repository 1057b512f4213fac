"""anxin serve — the production web server: gunicorn with anxin.ops.gunicorn_conf.

It neither migrates nor collects static files (`anxin migrate` runs once before, as the
compose file's `migrate` service; the static files are collected when the image is built),
and it refuses to start in a state that is not production: ANXIN_DEBUG on, no
ANXIN_SECRET_KEY (a key generated into the data folder is one machine's), static files not
collected, or a deploy check failing with an error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def refusals() -> list[str]:
    """Why this process may not serve production traffic (empty: it may)."""
    out = []
    if settings.DEBUG:
        out.append("ANXIN_DEBUG is on: it shows tracebacks and settings to anyone")
    if not os.environ.get("ANXIN_SECRET_KEY"):
        out.append(
            "ANXIN_SECRET_KEY is not set: the generated key in the data folder would differ "
            "between machines and is not managed as a secret"
        )
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if settings.ANXIN_STATIC_MANIFEST and not manifest.exists():
        out.append(f"static files not collected ({manifest} missing): run anxin collectstatic")
    return out


class Command(BaseCommand):
    help = "Run the production web server (gunicorn); see README, Production."

    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        if problems := refusals():
            raise CommandError("refusing to serve:\n- " + "\n- ".join(problems))
        # Django's deploy checks: errors stop the start, warnings are printed.
        call_command("check", deploy=True, fail_level="ERROR")
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(  # noqa: S606 (a fixed program: this interpreter running gunicorn)
            sys.executable,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:anxin.ops.gunicorn_conf",
                "anxin.wsgi:application",
            ],
        )
