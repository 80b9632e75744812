"""A database kept beside an emptied local S3 (the tests' reused database, `make run` after `.var/s3` went) lost the
terms PDF that every signed order attaches: the demo seeding puts it back, the same document as on record."""

from __future__ import annotations

import hashlib

import pytest

from invoicing.demo import DEMO_TERMS_VERSION, demo_seed
from invoicing.models import TermsVersion
from mooc_platform import storage


@pytest.mark.django_db
def test_the_seeding_puts_back_a_missing_terms_pdf_identical_to_the_one_on_record(demo: object) -> None:
    terms = TermsVersion.objects.get(version=DEMO_TERMS_VERSION)
    storage.object_delete(key=terms.pdf_key)
    assert storage.object_head(key=terms.pdf_key) is None
    logged: list[str] = []

    demo_seed(demo={}, log=logged.append)

    assert hashlib.sha256(storage.object_get(key=terms.pdf_key)).hexdigest() == terms.sha256
    assert any("put back on S3" in line for line in logged)
    again: list[str] = []
    demo_seed(demo={}, log=again.append)  # present again: nothing to put back
    assert again and not any("put back" in line for line in again)
