"""Compile the .po catalogues to .mo with polib, so no system gettext is needed anywhere.

python -m anxin.i18n
"""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent / "locale"


def compile_all() -> list[Path]:
    out = []
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        out.append(mo_path)
    return out


if __name__ == "__main__":
    for p in compile_all():
        print(f"compiled {p.relative_to(LOCALE.parent)}")
