"""A seller's answer to an order to correct with evidence files, through the API (multipart)
and the page: checked as every evidence upload (type, size, first bytes, how many), refused
in the reader's language with nothing saved, each file's digest on the act's chain, and the
files served only to the office and the seller."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from anxin.accounts.models import SellerProfile, User
from anxin.conftest import Api
from anxin.evidence.models import Record
from anxin.supervision import regulator as reg
from anxin.supervision.models import OrgKind
from anxin.supervision.models_regulator import ActionStatus, CorrectionFile, RegulatorAction
from anxin.supervision.services import FILE_MAX_BYTES, FILES_MAX
from anxin.supervision.tests.test_regulator import XIHU, office

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


@pytest.fixture
def xihu(seller: User) -> User:
    SellerProfile.objects.filter(user=seller).update(address_region=XIHU)
    return office(OrgKind.REGULATOR, XIHU, "xihu-officer")


@pytest.fixture
def order_to_correct(xihu: User, seller: User) -> RegulatorAction:
    return reg.action_record(
        actor=xihu,
        target=reg.Target(seller_id=seller.pk),
        kind="correction",
        summary="虚假宣传，限期改正",
        correct_days=5,
    )


def post_answer(user: User, number: str, data: dict[str, Any], lang: str = "zh-hans"):
    """A multipart POST to the API, as a program sends files."""
    return Api(user).client.post(
        f"/api/v1/supervision/actions/{number}/answer",
        data,
        headers={**Api(user).headers, "Accept-Language": lang},
    )


def state(a: RegulatorAction) -> tuple[Any, ...]:
    a.refresh_from_db()
    return (
        a.status,
        a.answer_note,
        a.answered_at,
        CorrectionFile.objects.count(),
        Record.objects.filter(chain=reg.chain_of(a)).count(),
    )


def test_the_seller_answers_with_files_through_the_api_and_the_office_sees_them(
    order_to_correct: RegulatorAction, xihu: User, seller: User
) -> None:
    a = order_to_correct
    # When the seller answers through the API with a photo and a PDF (multipart)
    out = post_answer(
        seller,
        a.number,
        {
            "note": "已删除虚假宣传用语",
            "evidence": [
                SimpleUploadedFile("page.png", PNG, "image/png"),
                SimpleUploadedFile("report.pdf", PDF, "application/pdf"),
            ],
        },
    )
    # Then the act is corrected, with both files listed
    assert out.status_code == 200, out.content
    body = out.json()
    assert body["status"] == ActionStatus.CORRECTED
    assert [f["name"] for f in body["answer_files"]] == ["page.png", "report.pdf"]
    # And each file's digest is on the act's evidence chain
    record = Record.objects.get(chain=reg.chain_of(a), kind="regulator.corrected")
    assert json.loads(record.body)["files"] == [f["sha256"] for f in body["answer_files"]]
    # And the office sees them on the act's page, through the permission-checked file view
    office_page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    office_page.force_login(xihu)
    page = office_page.get(f"/supervision/actions/{a.number}").content.decode()
    for f in CorrectionFile.objects.filter(action=a):
        url = f"/supervision/actions/{a.number}/files/{f.pk}"
        assert url in page
        got = office_page.get(url)
        assert got.status_code == 200
        assert b"".join(got.streaming_content) in (PNG, PDF)  # type: ignore[attr-defined]
        # And through the API, for the office
        assert Api(xihu).get(f"/supervision/actions/{a.number}/files/{f.pk}").status_code == 200
    # And the page shows no file's storage address (only Anxin's file view serves them)
    assert "/media/" not in page


def test_the_note_alone_still_answers_as_json(
    order_to_correct: RegulatorAction, seller: User
) -> None:
    # When the seller answers with JSON and no file, as before
    out = Api(seller).post(
        f"/supervision/actions/{order_to_correct.number}/answer", {"note": "已改正"}
    )
    # Then it is corrected, with no file
    assert out.status_code == 200
    assert out.json()["status"] == "corrected"
    assert out.json()["answer_files"] == []


@pytest.mark.parametrize(
    ("lang", "words"),
    [("zh-hans", "不接受这种类型的文件"), ("en", "this kind of file is not accepted")],
)
def test_a_file_of_another_type_is_refused_in_the_readers_language_and_nothing_is_saved(
    order_to_correct: RegulatorAction, seller: User, lang: str, words: str
) -> None:
    a = order_to_correct
    before = state(a)
    # When the seller sends a program with a good photo
    out = post_answer(
        seller,
        a.number,
        {
            "note": "已改正",
            "evidence": [
                SimpleUploadedFile("page.png", PNG, "image/png"),
                SimpleUploadedFile("setup.exe", b"MZ\x90\x00", "application/x-msdownload"),
            ],
        },
        lang,
    )
    # Then it is refused, naming the field, in the reader's language (and the API's English
    # template in `detail`)
    assert out.status_code == 422
    assert out.json()["field"] == "evidence"
    assert words in out.json()["message"]
    assert "a photo (JPEG, PNG, WebP) or a PDF" in out.json()["detail"]
    # And nothing is saved: the act is still open, no file, nothing on its chain
    assert state(a) == before
    assert before[0] == ActionStatus.OPEN


def test_a_file_disguised_as_a_photo_is_refused(
    order_to_correct: RegulatorAction, seller: User
) -> None:
    a = order_to_correct
    before = state(a)
    # When the seller sends a program named and typed as a PNG
    out = post_answer(
        seller,
        a.number,
        {"note": "已改正", "evidence": SimpleUploadedFile("p.png", b"MZ\x90\x00", "image/png")},
        "en",
    )
    # Then it is refused, and nothing is saved
    assert out.status_code == 422
    assert "not the image/png it says it is" in out.json()["detail"]
    assert state(a) == before


@pytest.mark.parametrize(
    ("lang", "words"), [("zh-hans", "文件太大"), ("en", "the file is too big")]
)
def test_a_file_over_the_limit_is_refused_in_the_readers_language(
    order_to_correct: RegulatorAction, seller: User, lang: str, words: str
) -> None:
    a = order_to_correct
    before = state(a)
    # When the seller sends a PDF one byte over the evidence limit
    big = SimpleUploadedFile(
        "big.pdf", PDF + b"x" * (FILE_MAX_BYTES - len(PDF) + 1), "application/pdf"
    )
    out = post_answer(seller, a.number, {"note": "已改正", "evidence": big}, lang)
    # Then it is refused in the reader's language, and nothing is saved
    assert out.status_code == 422
    assert words in out.json()["message"]
    assert "at most 10 MiB" in out.json()["detail"]
    assert state(a) == before


def test_more_files_than_the_limit_are_refused(
    order_to_correct: RegulatorAction, seller: User
) -> None:
    a = order_to_correct
    before = state(a)
    # When the seller sends one file more than a complaint may carry
    files = [SimpleUploadedFile(f"p{i}.png", PNG, "image/png") for i in range(FILES_MAX + 1)]
    out = post_answer(seller, a.number, {"note": "已改正", "evidence": files}, "en")
    # Then it is refused, and nothing is saved
    assert out.status_code == 422
    assert f"at most {FILES_MAX} files" in out.json()["detail"]
    assert state(a) == before


def test_another_seller_cannot_answer_nor_open_the_files(
    order_to_correct: RegulatorAction, seller: User, other_seller: User, buyer: User
) -> None:
    a = order_to_correct
    before = state(a)
    # When another seller answers it, through the API and the page, with a file
    out = post_answer(
        other_seller,
        a.number,
        {"note": "我改了", "evidence": SimpleUploadedFile("p.png", PNG, "image/png")},
    )
    page = Client()
    page.force_login(other_seller)
    on_page = page.post(
        f"/supervision/actions/{a.number}/answer",
        {"note": "我改了", "evidence": SimpleUploadedFile("p.png", PNG, "image/png")},
    )
    # Then it is not found, and nothing changed
    assert out.status_code == 404
    assert on_page.status_code == 404
    assert state(a) == before
    # When the seller answers with a file and the others ask for it
    post_answer(
        seller,
        a.number,
        {"note": "已改正", "evidence": SimpleUploadedFile("p.png", PNG, "image/png")},
    )
    f = CorrectionFile.objects.get(action=a)
    for who in (other_seller, buyer):
        c = Client()
        c.force_login(who)
        # Then neither the page's file view nor the API gives it
        assert c.get(f"/supervision/actions/{a.number}/files/{f.pk}").status_code == 404
        assert Api(who).get(f"/supervision/actions/{a.number}/files/{f.pk}").status_code == 404
    # And a file id under another act's number is not found either
    other = reg.action_record(
        actor=a.recorded_by,
        target=reg.Target(seller_id=seller.pk),
        kind="warning",
        summary="警告",
    )
    mine = Client()
    mine.force_login(seller)
    assert mine.get(f"/supervision/actions/{other.number}/files/{f.pk}").status_code == 404


def test_the_page_takes_several_files(order_to_correct: RegulatorAction, seller: User) -> None:
    a = order_to_correct
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page.force_login(seller)
    # Given the act's page offers the seller a field for several files
    form = page.get(f"/supervision/actions/{a.number}").content.decode()
    assert 'name="evidence" multiple' in form
    # When the seller answers on the page with two files
    page.post(
        f"/supervision/actions/{a.number}/answer",
        {
            "note": "已改正",
            "evidence": [
                SimpleUploadedFile("a.png", PNG, "image/png"),
                SimpleUploadedFile("b.pdf", PDF, "application/pdf"),
            ],
        },
    )
    # Then both are kept with the answer
    assert sorted(CorrectionFile.objects.filter(action=a).values_list("name", flat=True)) == [
        "a.png",
        "b.pdf",
    ]
    # When a bad file is sent on the page to another order to correct
    b = reg.action_record(
        actor=a.recorded_by,
        target=reg.Target(seller_id=seller.pk),
        kind="correction",
        summary="再次改正",
        correct_days=5,
    )
    shown = page.post(
        f"/supervision/actions/{b.number}/answer",
        {
            "note": "已改正",
            "evidence": SimpleUploadedFile("x.exe", b"MZ", "application/x-msdownload"),
        },
        follow=True,
    ).content.decode()
    # Then the page says why in Chinese, and the act is still open
    assert "不接受这种类型的文件" in shown
    b.refresh_from_db()
    assert b.status == ActionStatus.OPEN
    # When an English reader sends a file over the limit
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(seller)
    big = PDF + b"x" * (FILE_MAX_BYTES - len(PDF) + 1)
    shown = english.post(
        f"/supervision/actions/{b.number}/answer",
        {"note": "done", "evidence": SimpleUploadedFile("big.pdf", big, "application/pdf")},
        follow=True,
    ).content.decode()
    # Then the page says why in English, and nothing is saved
    assert "the file is too big" in shown
    b.refresh_from_db()
    assert b.status == ActionStatus.OPEN
    assert not CorrectionFile.objects.filter(action=b).exists()
