"""The migration that gave an answer to an order to correct several files keeps the file an
answer had, and goes back: an operator can roll the upgrade back."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from anxin.accounts.models import SellerProfile, User
from anxin.supervision import regulator as reg
from anxin.supervision.models import OrgKind
from anxin.supervision.models_regulator import CorrectionFile
from anxin.supervision.tests.test_regulator import XIHU, office

BEFORE = ("supervision", "0005_data_request_files")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.django_db(transaction=True)
def test_an_answers_file_goes_back_to_the_act_and_forth_to_its_files(seller: User) -> None:
    # Given an order to correct answered with a photo
    SellerProfile.objects.filter(user=seller).update(address_region=XIHU)
    xihu = office(OrgKind.REGULATOR, XIHU, "xihu-officer")
    a = reg.action_record(
        actor=xihu,
        target=reg.Target(seller_id=seller.pk),
        kind="correction",
        summary="改正",
        correct_days=5,
    )
    reg.correction_answer(
        actor=seller,
        number=a.number,
        note="已改正",
        files=[SimpleUploadedFile("shop.png", PNG, "image/png")],
    )
    kept = CorrectionFile.objects.get(action=a)
    # When the database is migrated back to one file an answer
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    # Then the act holds the file, its type and its digest
    old = executor.loader.project_state([BEFORE]).apps.get_model("supervision", "RegulatorAction")
    back = old.objects.get(number=a.number)
    assert (back.answer_file.name, back.answer_file_type, back.answer_sha256) == (
        kept.file.name,
        "image/png",
        kept.sha256,
    )
    # When it is migrated forward again
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # Then the file is the answer's one file again, with its digest
    (moved,) = CorrectionFile.objects.filter(action__number=a.number)
    assert (moved.file.name, moved.content_type, moved.sha256) == (
        kept.file.name,
        "image/png",
        kept.sha256,
    )
