"""Every `pattern` attribute in the page templates is a regular expression a browser can
compile. Browsers compile `pattern` with the `v` flag, where a character class is stricter than
in Python or JavaScript's older modes: `[A-Za-z0-9-]` (a bare `-` at a class's end) is a syntax
error, and then the browser skips the check altogether (issue 15 #7: the tracking-number fields
took anything)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import anxin

TEMPLATES = sorted(Path(anxin.__file__).parent.glob("**/templates/**/*.html"))
PATTERN = re.compile(r'\bpattern="([^"]*)"')
# In a `v`-mode class these must be escaped; `-` only forms a range between two characters.
CLASS_SYNTAX = set("(){}/|[")


def _class_errors(pattern: str) -> list[str]:
    """What a `v`-flag compiler refuses in the pattern's character classes (a subset of the
    rules: enough for the classes Anxin's templates write)."""
    errors = []
    i, in_class, prev_is_char = 0, False, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            prev_is_char = True
            continue
        if not in_class:
            in_class = c == "["
            prev_is_char = False
            if in_class and pattern[i + 1 : i + 2] == "^":
                i += 1
        elif c == "]":
            in_class = False
        elif c == "-":
            nxt = pattern[i + 1 : i + 2]
            if not prev_is_char or nxt in ("", "]", "-"):
                errors.append(f"unescaped '-' at {i} in {pattern!r}")
            prev_is_char = False
        elif c in CLASS_SYNTAX:
            errors.append(f"unescaped {c!r} at {i} in {pattern!r}")
        else:
            prev_is_char = True
        i += 1
    return errors


def test_every_input_pattern_compiles_with_the_v_flag() -> None:
    # Given every pattern attribute in Anxin's page templates
    found = [
        (path.name, html.unescape(p))
        for path in TEMPLATES
        for p in PATTERN.findall(path.read_text(encoding="utf-8"))
    ]
    # (the tracking-number fields of the order and after-sales pages are among them)
    assert len([p for _, p in found if "A-Za-z0-9" in p]) >= 3
    # When each is read as a browser reads it, with the v flag
    errors = [f"{name}: {e}" for name, p in found for e in _class_errors(p)]
    # Then none has a character class the browser would refuse (and so skip the check)
    assert errors == []


def test_the_checker_refuses_a_bare_dash_at_a_class_end() -> None:
    # Given the tracking-number pattern as it was before the fix, and as it is now
    # When the checker reads them
    before = _class_errors("[A-Za-z0-9-]{6,40}")
    after = _class_errors(r"[A-Za-z0-9\-]{6,40}")
    # Then it finds the bare '-' in the first and nothing in the second
    assert len(before) == 1
    assert after == []
