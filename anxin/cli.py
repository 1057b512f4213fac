"""The `anxin` command: Django's management commands, with Anxin's own among them.

anxin demo | anxin ledger audit | anxin bench checkout | anxin deadlines | anxin worker
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anxin.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "anxin"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
