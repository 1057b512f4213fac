"""Password rules beyond Django's own validators (settings.AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class VarietyValidator:
    """Refuses a password of blank space only, or of fewer than `min_distinct` different
    characters: ten spaces or "aaaaaaaaaa" pass the length rule and are on no list of common
    passwords, yet are the first thing a guesser tries."""

    def __init__(self, min_distinct: int = 4) -> None:
        self.min_distinct = min_distinct

    def validate(self, password: str, user: Any = None) -> None:
        if not password.strip():
            raise ValidationError(_("This password is only blank space."), code="password_blank")
        if len(set(password)) < self.min_distinct:
            raise ValidationError(
                _("This password uses fewer than %(n)d different characters.")
                % {"n": self.min_distinct},
                code="password_too_uniform",
            )

    def get_help_text(self) -> str:
        return _("Your password must use at least %(n)d different characters.") % {
            "n": self.min_distinct
        }
