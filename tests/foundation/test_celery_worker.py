"""A Celery task runs on a real worker, inside the schema it was sent from (tenant-schemas-celery)."""

from django_tenants.utils import schema_context

from mooc_platform.tasks import worker_ping


def test_task_runs_on_a_real_worker_inside_the_senders_schema(transactional_db, demo, acme,
                                                              celery_worker_session) -> None:
    with schema_context(demo.schema_name):
        from_demo = worker_ping.delay()
    with schema_context(acme.schema_name):
        from_acme = worker_ping.delay()
    from_public = worker_ping.delay()
    assert from_demo.get(timeout=20) == {"schema": demo.schema_name}
    assert from_acme.get(timeout=20) == {"schema": acme.schema_name}
    assert from_public.get(timeout=20) == {"schema": "public"}
