"""The routing version (tenants.routing): a one-row table bumped by triggers on tenants and domains.

`storage_used_bytes` moves with every upload and routes nothing: changing only it bumps nothing."""

from django.db import migrations, models

BUMP = """
CREATE OR REPLACE FUNCTION tenants_routing_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- An upsert: a flush (TRUNCATE) of the table must not stop the version from moving; a new row starts
    -- from the clock, never from a value an earlier row already had.
    INSERT INTO public.tenants_routingversion (id, value)
        VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
        ON CONFLICT (id) DO UPDATE SET value = public.tenants_routingversion.value + 1;
    RETURN NULL;
END $$;
INSERT INTO public.tenants_routingversion (id, value)
    VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint) ON CONFLICT (id) DO NOTHING;
CREATE CONSTRAINT TRIGGER tenants_domain_routing AFTER INSERT OR UPDATE OR DELETE ON tenants_domain
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tenants_routing_version_bump();
CREATE CONSTRAINT TRIGGER tenants_tenant_routing AFTER INSERT OR DELETE ON tenants_tenant
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tenants_routing_version_bump();
CREATE CONSTRAINT TRIGGER tenants_tenant_routing_update AFTER UPDATE ON tenants_tenant
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((to_jsonb(OLD) - 'storage_used_bytes') IS DISTINCT FROM (to_jsonb(NEW) - 'storage_used_bytes'))
    EXECUTE FUNCTION tenants_routing_version_bump();
CREATE TRIGGER tenants_domain_routing_truncate AFTER TRUNCATE ON tenants_domain
    FOR EACH STATEMENT EXECUTE FUNCTION tenants_routing_version_bump();
CREATE TRIGGER tenants_tenant_routing_truncate AFTER TRUNCATE ON tenants_tenant
    FOR EACH STATEMENT EXECUTE FUNCTION tenants_routing_version_bump();
"""

UNBUMP = """
DROP TRIGGER IF EXISTS tenants_domain_routing ON tenants_domain;
DROP TRIGGER IF EXISTS tenants_tenant_routing ON tenants_tenant;
DROP TRIGGER IF EXISTS tenants_tenant_routing_update ON tenants_tenant;
DROP TRIGGER IF EXISTS tenants_domain_routing_truncate ON tenants_domain;
DROP TRIGGER IF EXISTS tenants_tenant_routing_truncate ON tenants_tenant;
DROP FUNCTION IF EXISTS tenants_routing_version_bump();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("tenants", "0003_termination"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoutingVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunSQL(BUMP, UNBUMP),
    ]
