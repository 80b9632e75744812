"""`seed_demo`: the demo data of SPEC §4. Idempotent; refused when DEBUG is off."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mooc_platform.demo import demo_data_ensure


class Command(BaseCommand):
    help = "Create the demo operator, the tenants demo and acme, their users and one published course each."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: it creates accounts with a public password.")
        demo_data_ensure(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
