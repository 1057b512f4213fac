"""Backup codes kept as keyed digests (accounts.twofactor.backup_digest): the codes stored in
plain text before are replaced by their digests, so they go on signing in once each and a copy
of the database no longer holds them. The digest cannot be turned back into a code, so going
back leaves the digests (the codes then no longer work: staff make new ones on their account
page)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.db import migrations

def digest_codes(apps, schema_editor) -> None:
    from anxin.core.keyfile import secret_key

    token = apps.get_model("otp_static", "StaticToken")
    # A code as django-otp makes it is 8 base32 characters (5 random bytes); a digest has 16.
    plain = list(token.objects.filter(token__regex=r"^[a-z2-7]{8}$"))
    if not plain:
        return
    key = secret_key("backup-code.key")
    for row in plain:
        mac = hmac.new(key, row.token.encode(), hashlib.sha256).digest()
        row.token = base64.b32encode(mac[:10]).decode().lower()
    token.objects.bulk_update(plain, ["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_seller_address_region"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(digest_codes, migrations.RunPython.noop)]
