"""The file picker's words (anxin.js reads them from <body data-file-*>, base.html): in the
page's language, from gettext, so the script holds no words of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

JS = Path(__file__).resolve().parents[1] / "static" / "web" / "anxin.js"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "zh-hans",
            {
                "file-choose": "选择文件",
                "file-choose-many": "选择文件",
                "photo-choose": "选择照片",
                "photo-choose-many": "选择照片",
                "file-none": "未选择文件",
                "files-chosen": "已选 {n} 个文件",
                "file-clear": "清除所选",
            },
        ),
        (
            "en",
            {
                "file-choose": "Choose a file",
                "file-choose-many": "Choose files",
                "photo-choose": "Choose a photo",
                "photo-choose-many": "Choose photos",
                "file-none": "No file chosen",
                "files-chosen": "{n} files chosen",
                "file-clear": "Clear the choice",
            },
        ),
    ],
)
def test_every_page_carries_the_pickers_words_in_its_language(
    db: None, lang: str, words: dict[str, str]
) -> None:
    # Given a visitor whose browser asks for the language
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    # When she opens a page
    page = client.get("/law/").content.decode()
    # Then its <body> carries each of the picker's words in that language
    body = re.search(r"<body([^>]*)>", page)
    assert body is not None
    for key, text in words.items():
        assert f'data-{key}="{text}"' in body.group(1), (key, body.group(1))


def test_the_script_takes_the_pickers_words_from_the_page() -> None:
    # Given the site's script
    source = JS.read_text()
    # When the strings in the code of its file picker are read (its comments left out)
    part = source[source.index("// File inputs in the page's language") :]
    code = "\n".join(line for line in part.splitlines() if not line.strip().startswith("//"))
    # Then it holds none of the words, in either language: they come from the page
    literals = " | ".join(re.findall(r'"([^"]*)"', code))
    for text in ("选择", "未选择", "已选", "清除", "Choose", "No file", "files chosen", "Clear"):
        assert text not in literals, text
    assert "document.body.dataset" in code
