"""Accent-insensitive French and English full-text search (issue 14 item 2, SPEC §4 catalogue search).

The `unaccent` extension and the two text search configurations live in `public` only (mooc_platform is a
shared app: this migration runs in the public schema, never in a tenant's). Tenant schemas reach them by
their qualified names (`public.unaccent`, `public.fr_unaccent`, `public.en_unaccent`), so the queries work
whatever the tenant's `search_path`, and a thousand tenant schemas do not each carry a copy (an extension
can only be installed once per database anyway). Idempotent: a database where a previous run or an
operator already created them is left as it is."""

from django.db import migrations

SQL = """
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
                   WHERE n.nspname = 'public' AND c.cfgname = 'fr_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION public.fr_unaccent (COPY = pg_catalog.french);
        ALTER TEXT SEARCH CONFIGURATION public.fr_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, pg_catalog.french_stem;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
                   WHERE n.nspname = 'public' AND c.cfgname = 'en_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION public.en_unaccent (COPY = pg_catalog.english);
        ALTER TEXT SEARCH CONFIGURATION public.en_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, pg_catalog.english_stem;
    END IF;
END
$$;
"""

REVERSE = """
DROP TEXT SEARCH CONFIGURATION IF EXISTS public.fr_unaccent;
DROP TEXT SEARCH CONFIGURATION IF EXISTS public.en_unaccent;
"""


class Migration(migrations.Migration):
    dependencies = [("mooc_platform", "0001_shared_cache_table")]
    operations = [migrations.RunSQL(SQL, reverse_sql=REVERSE)]
