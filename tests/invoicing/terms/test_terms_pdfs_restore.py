"""A database kept beside an emptied local S3 (the tests' reused database, `make run` after `.var/s3` went) lost the
terms PDF that every signed order attaches: the demo seeding puts it back, the same document as on record."""

from __future__ import annotations

import hashlib

import pytest

from invoicing.demo import DEMO_TERMS_VERSION, demo_seed
from invoicing.models import TermsVersion
from invoicing.services.terms import terms_pdfs_restore
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


@pytest.mark.django_db
def test_a_terms_pdf_that_renders_differently_now_is_never_replaced_by_another_document(
        demo: object, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    from invoicing.services import terms as terms_module

    terms = TermsVersion.objects.get(version=DEMO_TERMS_VERSION)
    storage.object_delete(key=terms.pdf_key)
    try:
        with monkeypatch.context() as patched:  # as if the seller's name had changed since it was published
            patched.setattr(terms_module, "_terms_document", lambda **_: b"%PDF-1.4 another document")
            assert terms_pdfs_restore() == 0
        assert storage.object_head(key=terms.pdf_key) is None
        assert f"terms {DEMO_TERMS_VERSION}: PDF missing on S3 and not reproducible" in caplog.text
    finally:
        assert terms_pdfs_restore() == 1  # the later tests need it back
