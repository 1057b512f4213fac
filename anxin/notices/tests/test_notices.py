"""Notices: one send for every app, each user noticed once, the e-mail sent once in the
reader's language, the text naming the subject's number and linking to its page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import translation

from anxin.conftest import make_user
from anxin.notices.mail import notice_email
from anxin.notices.models import Notification
from anxin.notices.selectors import notices_list, notices_unread_count
from anxin.notices.services import notice_send, notices_mark_read
from anxin.notices.texts import notice_text, notice_url

pytestmark = pytest.mark.django_db


class Case:
    """A subject as notices see one: a model's name and a number."""

    _meta = SimpleNamespace(model_name="dispute")

    def __init__(self, number: str) -> None:
        self.number = number


def test_a_notice_goes_to_each_user_once_and_names_its_subject(buyer, seller) -> None:
    # Given a case (any model with a number is a subject)
    case = Case("DS20261204ABCD")
    # When the same notice is sent to a user twice over, and to a missing one
    notice_send([buyer, buyer.pk, None, seller], "withdrawn", subject=case)
    # Then each user has it once, about that case
    rows = Notification.objects.order_by("user_id")
    assert [n.user_id for n in rows] == sorted([buyer.pk, seller.pk])
    assert {n.subject for n in rows} == {"dispute:DS20261204ABCD"}
    with translation.override("en"):
        assert notice_text(rows[0]) == "Case DS20261204ABCD was withdrawn by the buyer."
    assert notice_url(rows[0]) == "/disputes/DS20261204ABCD/"


def test_a_notice_without_a_subject_links_by_its_kind(seller) -> None:
    # When a seller is sent a notice that has no subject
    notice_send([seller], "reverify_lapsed")
    # Then it names none, and links to the page its kind is about
    n = Notification.objects.get()
    assert n.subject == ""
    assert notice_url(n) == "/seller/verification"


def test_the_email_is_sent_once(buyer) -> None:
    # Given a buyer with an email address who was sent a notice
    buyer.email = "buyer@example.com"
    buyer.save(update_fields=["email"])
    notice_send([buyer], "blacklist_decided")
    n = Notification.objects.get()
    # When its email is sent twice
    # Then the first sends it and the second finds it already sent
    assert notice_email(notification_id=n.pk) == "sent"
    assert notice_email(notification_id=n.pk) == "already sent"
    # And one mail went out, to her address
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["buyer@example.com"]


def test_unread_count_list_and_marking_read(buyer) -> None:
    # Given a buyer sent two notices, and another buyer sent one
    other = make_user("notice-other", "buyer")
    notice_send([buyer, other], "blacklist_decided")
    notice_send([buyer], "reverify_lapsed")
    # When her unread notices are counted and listed
    # Then there are two, the newest first
    assert notices_unread_count(buyer) == 2
    newest = notices_list(buyer)[0]
    assert newest.kind == "reverify_lapsed"
    # When she marks the newest read
    # Then one is marked and one is left unread
    assert notices_mark_read(buyer, pk=newest.pk) == 1
    assert notices_unread_count(buyer) == 1
    # When she marks all read
    # Then the last one is marked and none is left, and the other buyer's is still unread
    assert notices_mark_read(buyer) == 1
    assert notices_unread_count(buyer) == 0
    assert notices_unread_count(other) == 1
