"""Every test of test_media.py again, with media in a private bucket of an S3-compatible server
(ANXIN_MEDIA_STORAGE=s3; anxin/core/tests/s3server.py): each upload is served as on local disk,
with its checked type, and only to whom it belongs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from anxin.web.tests import test_media

pytestmark = [pytest.mark.django_db, pytest.mark.s3]

# Collected here too, under this module's fixture below.
globals().update({k: v for k, v in vars(test_media).items() if k.startswith("test_")})


@pytest.fixture(autouse=True)
def _media_in_a_bucket(s3_media) -> Iterator[None]:
    # Given media in the test's bucket (every test of this module)
    yield
    # Then what the test uploaded went into the bucket, not to a folder
    assert s3_media.keys("media/")
