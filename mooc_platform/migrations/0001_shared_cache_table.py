"""The table of the embedded shared cache (mooc_platform.cache.DatabaseCache), in `public` only
(mooc_platform is a shared app): the same columns as Django's `createcachetable`."""

from django.db import migrations

SQL = """
CREATE TABLE IF NOT EXISTS "mooc_cache" (
    "cache_key" varchar(255) NOT NULL PRIMARY KEY,
    "value" text NOT NULL,
    "expires" timestamp with time zone NOT NULL
);
CREATE INDEX IF NOT EXISTS "mooc_cache_expires" ON "mooc_cache" ("expires");
"""


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []
    operations = [migrations.RunSQL(SQL, reverse_sql='DROP TABLE IF EXISTS "mooc_cache";')]
