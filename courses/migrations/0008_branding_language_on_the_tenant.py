"""The organisation's language has one home, its tenant row (`Tenant.language`, issue 13 item 5): a default
language an administrator chose in the branding moves there, and the branding's copy goes."""

from django.conf import settings
from django.db import migrations


def language_to_the_tenant_row(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    schema = getattr(connection, "schema_name", None)
    if not schema or schema == settings.PUBLIC_SCHEMA_NAME:
        return
    with connection.cursor() as cursor:
        # Tables named as in the migrations, the app never importing tenants (SPEC §2); no row for the template.
        cursor.execute(
            f'UPDATE "{settings.PUBLIC_SCHEMA_NAME}".tenants_tenant AS t SET language = b.default_language '  # noqa: S608
            "FROM courses_branding AS b WHERE b.id = 1 AND t.schema_name = %s AND t.language <> b.default_language",
            [schema])


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0007_notifications_threads_player'),
    ]

    operations = [
        migrations.RunPython(language_to_the_tenant_row, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name='branding', name='default_language'),
    ]
