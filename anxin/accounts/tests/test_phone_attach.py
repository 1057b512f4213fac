"""Adding a verified mobile number to an account that signs in with a password."""

from __future__ import annotations

import pytest

from anxin.accounts import phone
from anxin.accounts.models import User
from anxin.core.errors import Conflict, ValidationFailed
from anxin.sms.models import SandboxSms

pytestmark = pytest.mark.django_db


def last_code(number: str) -> str:
    return SandboxSms.objects.filter(number=number).latest("pk").code


def test_a_number_proven_by_its_code_is_added(buyer: User) -> None:
    # Given a password account without a number, and a code sent to one
    phone.code_send(phone="139 0000 2222", address="127.0.0.1")
    # When the account gives a wrong code, then the right one
    with pytest.raises(ValidationFailed):
        phone.phone_attach(user=buyer, phone="13900002222", code="000000")
    assert User.objects.get(pk=buyer.pk).phone is None
    phone.phone_attach(user=buyer, phone="13900002222", code=last_code("13900002222"))
    # Then the number is the account's
    assert User.objects.get(pk=buyer.pk).phone == "13900002222"


def test_a_number_another_account_signs_in_with_is_refused(buyer: User, other_buyer: User) -> None:
    # Given another account with the number
    User.objects.filter(pk=other_buyer.pk).update(phone="13900003333")
    phone.code_send(phone="13900003333", address="127.0.0.1")
    # When this account proves the number and asks for it
    with pytest.raises(Conflict) as e:
        phone.phone_attach(user=buyer, phone="13900003333", code=last_code("13900003333"))
    # Then it is refused, and neither account changes
    assert e.value.code == "phone_taken"
    assert User.objects.get(pk=buyer.pk).phone is None
    assert User.objects.get(pk=other_buyer.pk).phone == "13900003333"
