"""anxin restore ARCHIVE — restore an `anxin backup` archive into this installation: an empty
database, a key folder and media (a folder or a bucket) without conflicting files; then migrate
(anxin/ops/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from anxin.ops import backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty database (DATABASE_URL, or a new SQLite file) "
        "and this installation's key and media folders; every checksum is checked first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="a .tar.gz written by `anxin backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.restore(Path(options["archive"]))
        except backup.BackupError as e:
            raise CommandError(str(e)) from None
        # The code may be newer than the backup: bring the schema up to it.
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            f"restored the backup of {manifest['created_at']} "
            f"({len(manifest['files']) - 1} files besides the database); "
            "check it with `anxin ledger audit` and `anxin evidence audit`"
        )
