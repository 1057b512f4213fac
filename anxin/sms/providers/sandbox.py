"""An SMS provider that sends nothing: each message is kept in the database (SandboxSms), and
the demo's codes page shows what the phone would have received."""

from __future__ import annotations

import datetime as dt
import secrets

from anxin.sms.models import SandboxSms

# What the demo's codes page may still show: a day of texts is more than anyone scrolls.
KEEP = dt.timedelta(days=1)

# The text of the template a real provider would have approved (the sandbox renders it).
TEMPLATE = "【安心】您的验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。"


class SandboxSmsProvider:
    name = "sandbox"

    def send_code(self, *, number: str, code: str, minutes: int) -> str:
        message_id = "sbx_" + secrets.token_hex(12)
        SandboxSms.objects.create(
            number=number,
            code=code,
            text=TEMPLATE.format(code=code, minutes=minutes),
            message_id=message_id,
        )
        return message_id


def sandbox_purge(now: dt.datetime) -> int:
    """Texts the sandbox 'sent' more than a day ago (`anxin deadlines`, via accounts_purge):
    their codes have long expired."""
    n, _ = SandboxSms.objects.filter(sent_at__lt=now - KEEP).delete()
    return n
