"""anxin backup [--output FILE] — the database, the key files and the media in one archive
with a manifest and checksums (anxin/ops/backup.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from anxin.ops import backup


class Command(BaseCommand):
    help = (
        "Back up this installation: the database (pg_dump, or SQLite's online backup), "
        "ANXIN_KEYS_DIR, the secret key file and the media (MEDIA_ROOT, or its bucket), in one "
        ".tar.gz with a manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            help="the archive to write (default: DATA_DIR/backups/anxin-<UTC time>.tar.gz)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        if not output:
            folder = Path(settings.DATA_DIR) / "backups"
            folder.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            output = folder / f"anxin-{stamp}.tar.gz"
        try:
            s = backup.backup(Path(output))
        except backup.BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"backed up the {s.vendor} database and {s.files - 1} files to {s.archive} "
            f"({s.size:,} bytes); keep it as safe as the key files in it"
        )
