"""Static files as production serves them: collected under hashed names, compressed, cached
for ten years (settings.py, ANXIN_STATIC_MANIFEST)."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys

import brotli
import pytest
from django.core.management import call_command
from django.test import Client

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture
def collected(settings, tmp_path):
    """The manifest storage over a STATIC_ROOT that collectstatic filled (the web shell's files
    only: the API docs' assets take seconds to compress and are not what is tested here)."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    call_command("collectstatic", "--noinput", "-v0", "-i", "ninja", "-i", "django_htmx")
    return tmp_path


def test_pages_link_hashed_files_that_are_cached_for_good_and_sent_compressed(
    collected, db
) -> None:
    # Given the static files collected as in production
    # When a visitor opens a page
    page = Client().get("/law/").content.decode()
    # Then its stylesheet and scripts are linked under hashed names
    css = re.search(r'href="(/static/web/anxin\.[0-9a-f]{12}\.css)"', page)
    assert css is not None, page[:600]
    assert re.search(r'src="/static/web/htmx\.min\.[0-9a-f]{12}\.js"', page)
    # When the browser fetches the stylesheet, saying it takes gzip
    # (a fresh client: WhiteNoise reads STATIC_ROOT when it starts)
    r = Client().get(css.group(1), headers={"Accept-Encoding": "gzip"})
    body = b"".join(r.streaming_content)
    # Then it comes gzipped, to be kept for ten years without asking again
    assert r.status_code == 200
    assert r["Cache-Control"] == "max-age=315360000, public, immutable"
    assert r["Content-Encoding"] == "gzip"
    original = (collected / css.group(1).removeprefix("/static/")).read_bytes()
    assert gzip.decompress(body) == original
    assert len(body) < len(original)
    # When a browser that takes Brotli fetches it
    br = Client().get(css.group(1), headers={"Accept-Encoding": "gzip, br"})
    # Then it gets the Brotli copy
    assert br["Content-Encoding"] == "br"
    assert brotli.decompress(b"".join(br.streaming_content)) == original
    # When a client that takes no compression fetches it
    plain = Client().get(css.group(1))
    # Then it gets the file itself
    assert "Content-Encoding" not in plain
    assert b"".join(plain.streaming_content) == original


def test_an_unhashed_name_is_not_cached_for_good(collected, db) -> None:
    # Given the static files collected as in production
    # When the stylesheet is fetched by its plain name (no page links it so)
    r = Client().get("/static/web/anxin.css")
    # Then it is served, but only cached briefly: the name does not change with the content
    assert r.status_code == 200
    assert "immutable" not in r["Cache-Control"]


@pytest.mark.parametrize(("value", "backend"), [(None, MANIFEST), ("0", "StaticFilesStorage")])
def test_production_uses_the_manifest_storage_unless_told_not_to(value, backend) -> None:
    from anxin.conftest import child_env

    # Given the environment of a deployment, with or without ANXIN_STATIC_MANIFEST=0
    env = child_env()
    env.pop("ANXIN_STATIC_MANIFEST")
    if value is not None:
        env["ANXIN_STATIC_MANIFEST"] = value
    # When Anxin reads its settings
    script = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    # Then static files go through the manifest storage, or the plain one when told so
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith(backend)
