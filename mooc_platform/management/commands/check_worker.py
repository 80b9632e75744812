from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from mooc_platform.tasks import worker_ping


class Command(BaseCommand):
    help = "Send a ping task to the Celery worker inside a schema and print what the worker saw."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--schema", default="public")
        parser.add_argument("--timeout", type=float, default=20.0)

    def handle(self, *args: object, **options: object) -> None:
        with schema_context(str(options["schema"])):
            result = worker_ping.delay()
        try:
            answer = result.get(timeout=float(options["timeout"]))  # type: ignore[arg-type]
        except Exception as exc:
            raise CommandError(f"no answer from a worker: {exc}") from exc
        self.stdout.write(f"worker answered from schema {answer['schema']}")
