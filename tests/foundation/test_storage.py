"""The S3 endpoint round-trips a file through the boto3 client the app uses (real S3 API)."""

import urllib.request
import uuid

import pytest

from mooc_platform import storage


def test_object_round_trip_through_the_app_client() -> None:
    key = f"{storage.tenant_prefix(schema_name='t_demo')}tests/{uuid.uuid4()}.txt"
    storage.object_put(key=key, body=b"bonjour", content_type="text/plain")
    assert storage.object_get(key=key) == b"bonjour"
    storage.object_delete(key=key)
    listed = storage.s3_client().list_objects_v2(Bucket=storage.bucket_name(), Prefix=key)
    assert listed.get("KeyCount", 0) == 0


def test_presigned_put_then_presigned_get_round_trip() -> None:
    key = f"tenants/t_demo/tests/{uuid.uuid4()}.bin"
    put_url = storage.presigned_put_url(key=key, content_type="application/pdf", content_length=len(b"%PDF-1.7 fake"))
    request = urllib.request.Request(put_url, data=b"%PDF-1.7 fake", method="PUT",
                                     headers={"Content-Type": "application/pdf"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    with urllib.request.urlopen(storage.presigned_get_url(key=key)) as response:
        assert response.read() == b"%PDF-1.7 fake"
    head = storage.s3_client().head_object(Bucket=storage.bucket_name(), Key=key)
    assert head["ContentType"] == "application/pdf"


@pytest.mark.parametrize(("used", "quota", "level", "warning"), [
    (0, 1000, "ok", None), (799, 1000, "ok", None), (800, 1000, "warning", "80"), (4, 5, "warning", "80"),
    (999, 1000, "warning", "80"), (1000, 1000, "full", "100"), (0, 0, "full", "100")])
def test_one_storage_rule_for_the_tenant_status_and_the_upload_warning(used: int, quota: int, level: str,
                                                                       warning: str | None) -> None:
    """SPEC R20: the operator's status and the upload warning read the same thresholds."""
    from courses.services import storage_warning
    from mooc_platform.storage import storage_level

    assert storage_level(used=used, quota=quota) == level
    assert storage_warning(used=used, quota=quota) == warning
