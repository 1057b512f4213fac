"""The seller's badge: signed, verifiable offline, refused when forged, altered, expired or
revoked; its QR opens the live page."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.test import Client

from anxin.conftest import child_env
from anxin.core.errors import Forbidden
from anxin.evidence.note import NoteError
from anxin.sellers import badge
from anxin.sellers import services as sellers

pytestmark = pytest.mark.django_db


def test_a_badge_verifies_offline_and_fails_when_altered_or_signed_by_another_key(seller) -> None:
    b = badge.issue(actor=seller)
    checked = badge.check(b.note, badge.verifier())
    assert checked.fields["seller"] == str(seller.pk)
    assert not checked.expired
    assert checked.fields["level"].startswith("1 ")
    altered = b.note.replace(f"seller {seller.pk}", f"seller {seller.pk + 1}")
    with pytest.raises(NoteError):
        badge.check(altered, badge.verifier())
    from anxin.evidence.note import Signer, sign

    impostor = Signer.generate("anxin.localhost/badge")  # same name, another key
    forged = sign(b.note[: b.note.rfind("\n\n") + 1], impostor)
    with pytest.raises(NoteError):
        badge.check(forged, badge.verifier())
    assert badge.live(forged)[1].startswith("forged")


def test_the_live_page_says_valid_expired_or_revoked(clock, seller, operator) -> None:
    b = badge.issue(actor=seller)
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = f"/s/{seller.pk}?badge={badge.encode(b.note)}"
    assert "Genuine and current" in c.get(url).content.decode()
    other = f"/s/{operator.pk + 1000}?badge={badge.encode(b.note)}"
    assert c.get(other).status_code == 404
    badge.revoke(actor=operator, serial=b.serial, reason="冒用他人身份")
    assert "Revoked by Anxin" in c.get(url).content.decode()
    b2 = badge.issue(actor=seller)
    clock.move_to(b2.expires_at)
    assert badge.live(b2.note)[1] == "expired"
    with pytest.raises(Forbidden):
        badge.revoke(actor=seller, serial=b2.serial, reason="x")


def test_no_badge_without_a_current_verification(clock, seller) -> None:
    v = seller.verification
    clock.move_to(v.reverify_by)
    sellers.seller_verification_lapse(seller_id=seller.pk)
    with pytest.raises(Forbidden):
        badge.issue(actor=seller)


def test_anyone_checks_a_scanned_badge_with_the_published_key(seller, tmp_path) -> None:
    b = badge.issue(actor=seller)
    key = Client().get("/sellers/badge.vkey").content.decode()
    (tmp_path / "key").write_text(key)
    scanned = tmp_path / "scan.txt"
    scanned.write_text(f"https://anxin.example/s/{seller.pk}?badge={badge.encode(b.note)}")
    ok = subprocess.run(
        [sys.executable, "-m", "anxin", "badge", str(scanned), "--key", str(tmp_path / "key")],
        env=child_env(),
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert f"seller {seller.pk}" in ok.stdout, ok.stderr
    scanned.write_text(badge.encode(b.note.replace("shop ", "shop X")))
    bad = subprocess.run(
        [sys.executable, "-m", "anxin", "badge", str(scanned), "--key", str(tmp_path / "key")],
        env=child_env(),
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "badge:" in bad.stderr


def test_the_seller_issues_a_badge_and_gets_its_qr(seller) -> None:
    c = Client()
    c.force_login(seller)
    assert c.post("/seller/badge").status_code == 302
    svg = c.get("/seller/badge.svg")
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
