"""Every string the interface shows has a Simplified Chinese translation."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ANXIN = Path(__file__).resolve().parents[2]
CATALOGUE = ANXIN / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_every_interface_string_is_translated(tmp_path) -> None:
    # Given a copy of the source, without its locale folder
    copy = tmp_path / "anxin"
    shutil.copytree(ANXIN, copy, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.mo"))
    shutil.rmtree(copy / "locale")
    (copy / "locale").mkdir()
    # When its strings are extracted afresh, exactly as `makemessages` would
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "-i",
            "tests/*",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "DJANGO_SETTINGS_MODULE": "django.conf.global_settings",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": ":".join(sys.path),
        },
    )
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    ours = {e.msgid: e for e in polib.pofile(str(CATALOGUE))}
    # Then each has a translation in our catalogue that is neither empty nor fuzzy
    untranslated = []
    for entry in fresh:
        mine = ours.get(entry.msgid)
        if (
            mine is None
            or "fuzzy" in mine.flags
            or not (mine.msgstr or any(mine.msgstr_plural.values()))
        ):
            untranslated.append(entry.msgid)
    assert untranslated == []


def test_every_translation_keeps_its_placeholders() -> None:
    # When the Chinese catalogue is read
    # Then each %(name)s placeholder in an entry's text is kept in its translation
    for entry in polib.pofile(str(CATALOGUE)):
        for placeholder in set(re.findall(r"%\(\w+\)s", entry.msgid)):
            translated = entry.msgstr or " ".join(entry.msgstr_plural.values())
            assert placeholder in translated, entry.msgid
