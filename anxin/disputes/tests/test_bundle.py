"""The evidence bundles (a case's and an order's) hold no name an uploader chose: files are
named by their hash and the extension of their checked type, and the given name survives
only as escaped text in the manifest."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anxin.disputes import bundle, services
from anxin.disputes.tests.helpers import shipped
from anxin.evidence import bundles

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% a document\n"
PNG = b"\x89PNG\r\n\x1a\nxx"
# Right-to-left override: shown as "invoice-exe.pdf", it is a name ending in "fdp.exe".
RLO_NAME = "invoice-\u202efdp.exe"


def test_a_cases_bundle_names_files_by_hash_and_checked_type(buyer, seller, listing) -> None:
    # Given a case where the buyer filed files named like scripts and programs (one hidden
    # behind a right-to-left override) and a photo with a Chinese name
    order = shipped(buyer, seller, listing)
    d = services.dispute_file(
        actor=buyer, number=order.number, category="quality_defect", claim="坏了", claimed_fen=100
    )
    given = {
        "run.bat": ("text/plain", b"echo hello\r\n"),
        "payload.js": ("text/plain", b"alert(1)\n"),
        "setup.exe": ("application/pdf", PDF),
        RLO_NAME: ("application/pdf", PDF + b"2"),
        "照片.png": ("image/png", PNG),
    }
    items = {
        name: services.dispute_evidence_submit(
            actor=buyer,
            number=d.number,
            text="证据",
            file=SimpleUploadedFile(name, data, content_type=content_type),
        )
        for name, (content_type, data) in given.items()
    }
    # When the buyer downloads the case's bundle
    z = zipfile.ZipFile(io.BytesIO(bundle.build(buyer, d.number)))
    # Then each file is named by its number, hash and the extension of its checked type
    names = [n.split("/", 1)[1] for n in z.namelist()]
    evidence = sorted(n for n in names if n.startswith("evidence/"))
    ext = {"text/plain": "txt", "application/pdf": "pdf", "image/png": "png"}
    assert evidence == sorted(
        f"evidence/{e.pk:05d}-{e.sha256[:16]}.{ext[given[name][0]]}" for name, e in items.items()
    )
    for name in evidence:
        assert name.rsplit(".", 1)[1] in ("txt", "pdf", "png")
    # And each holds the bytes given, hashed in the manifest
    manifest = json.loads(z.read(f"{d.number}/manifest.json"))
    originals = manifest["original_names"]
    for name, e in items.items():
        member = f"evidence/{e.pk:05d}-{e.sha256[:16]}.{ext[given[name][0]]}"
        assert z.read(f"{d.number}/{member}") == given[name][1]
        assert manifest["files"][member] == hashlib.sha256(given[name][1]).hexdigest()
    # And the manifest keeps the name each was given, as text
    assert originals[f"evidence/{items['run.bat'].pk:05d}-{items['run.bat'].sha256[:16]}.txt"] == (
        "run.bat"
    )
    # The override is shown for what it is, never applied.
    rlo = items[RLO_NAME]
    assert originals[f"evidence/{rlo.pk:05d}-{rlo.sha256[:16]}.pdf"] == "invoice-\\u202efdp.exe"
    assert "\u202e" not in z.read(f"{d.number}/manifest.json").decode()
    assert "照片.png" in originals.values()


def test_the_packer_refuses_a_name_no_bundle_may_hold() -> None:
    # Given names with a program's extension, a way out of the folder or a space
    # When the packer is asked to hold each
    # Then it refuses every one
    for name in ("evidence/x.exe", "evidence/a.js", "../x.json", "/etc/x.json", "a b.json"):
        with pytest.raises(ValueError, match="not a name a bundle may hold"):
            bundles.pack("case", {name: b"x"}, {})
    # And it packs a name made by hash and checked type
    assert bundles.pack("case", {"evidence/00001-ab.pdf": b"x"}, {})
