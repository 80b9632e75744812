"""Builds a tenant's full export (SPEC R14): every table of its schema as CSV and JSON, read
generically from information_schema (no tenant app is imported), and every media file under its
S3 prefix, zipped and uploaded to `tenants/<schema>/exports/`."""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from mooc_platform import storage
from mooc_platform.emails import email_send
from mooc_platform.http import tenant_url
from mooc_platform.spreadsheets import sql_csv_neutralised

from . import s3
from .models import Tenant, TenantExport
from .selectors import (
    EXCLUDED_TABLES,
    schema_table_columns,
    schema_table_text_columns,
    tenant_administrator_emails,
    tenant_schema_tables,
)

EXPORT_LINK_SECONDS = 15 * 60
SPOOL_BYTES = 64 * 1024 * 1024


def export_download_url(*, export: TenantExport, expires_in: int = EXPORT_LINK_SECONDS) -> str | None:
    if export.status != TenantExport.Status.READY or not export.s3_key:
        return None
    filename = f"{export.tenant.slug}-export-{export.pk}.zip"
    return storage.presigned_get_url(key=export.s3_key, expires_in=expires_in, filename=filename)


def _csv_column(column: str, texts: set[str]) -> str:
    quoted = f'x."{column}"'
    return f'{sql_csv_neutralised(quoted)} AS "{column}"' if column in texts else quoted


def _write_tables(archive: zipfile.ZipFile, schema_name: str) -> dict[str, int]:
    counts = {}
    for table, rows in tenant_schema_tables(schema_name=schema_name).items():
        if table in EXCLUDED_TABLES:
            continue
        columns = schema_table_columns(schema_name=schema_name, table=table)
        texts = schema_table_text_columns(schema_name=schema_name, table=table)
        select = ", ".join(f'"{c}"' for c in columns)
        source = f'SELECT {select} FROM "{schema_name}"."{table}" ORDER BY 1'  # noqa: S608 - identifiers come from the catalogue
        # The CSV copy neutralises formula prefixes (issue 11 item 6); the JSON copy keeps raw values.
        csv_select = ", ".join(_csv_column(c, texts) for c in columns)
        with connection.cursor() as cursor, archive.open(f"data/{table}.csv", "w") as out:
            copy = f"COPY (SELECT {csv_select} FROM ({source}) x) TO STDOUT WITH (FORMAT csv, HEADER)"  # noqa: S608 - identifiers come from the catalogue
            cursor.cursor.copy_expert(copy, out)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(json_agg(row_to_json(x)), '[]'::json)::text FROM ({source}) x")  # noqa: S608 - identifiers come from the catalogue
            archive.writestr(f"data/{table}.json", cursor.fetchone()[0])
        counts[table] = rows
    return counts


def export_build(*, export_id: int) -> TenantExport:
    """Build the zip of export `export_id`, upload it and e-mail its administrators a link."""
    with transaction.atomic():
        export = TenantExport.objects.select_for_update().select_related("tenant").get(pk=export_id)
        if export.status not in {TenantExport.Status.PENDING, TenantExport.Status.RUNNING}:
            return export
        export.status = TenantExport.Status.RUNNING
        export.save(update_fields=["status"])
    tenant: Tenant = export.tenant
    prefix = storage.tenant_prefix(schema_name=tenant.schema_name)
    key = f"{prefix}exports/{export.pk}-{timezone.now():%Y%m%dT%H%M%S}.zip"
    try:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                tables = _write_tables(archive, tenant.schema_name)
                media: list[dict[str, Any]] = []
                for obj in s3.prefix_objects(prefix=prefix):
                    relative = obj["Key"][len(prefix):]
                    if relative.startswith("exports/"):
                        continue
                    with archive.open(f"media/{relative}", "w") as out:
                        shutil.copyfileobj(s3.object_body(key=obj["Key"]), out)
                    media.append({"path": f"media/{relative}", "bytes": obj["Size"]})
                manifest = {
                    "organisation": tenant.name, "slug": tenant.slug, "generated_at": timezone.now().isoformat(),
                    "tables": tables, "media_files": len(media), "media_bytes": sum(m["bytes"] for m in media),
                    "media": media, "left_out": [*sorted(EXCLUDED_TABLES), "password and secret columns"],
                }
                archive.writestr("manifest.json", json.dumps(manifest, indent=2))
            size = spool.tell()
            spool.seek(0)
            s3.fileobj_upload(key=key, fileobj=spool, content_type="application/zip")
    except Exception as exc:
        TenantExport.objects.filter(pk=export.pk).update(status=TenantExport.Status.FAILED, error=str(exc)[:2000],
                                                         completed_at=timezone.now())
        raise
    export.status, export.s3_key, export.size_bytes = TenantExport.Status.READY, key, size
    export.manifest = {k: v for k, v in manifest.items() if k != "media"}
    export.completed_at = timezone.now()
    export.save(update_fields=["status", "s3_key", "size_bytes", "manifest", "completed_at"])

    email_send(to=tenant_administrator_emails(tenant=tenant), template="tenants/emails/export_ready",
               context={"tenant": tenant, "export": export,
                        "download_url": export_download_url(export=export, expires_in=24 * 3600),
                        "page_url": tenant_url(slug=tenant.slug, path="/exports/"),
                        "platform_name": settings.PLATFORM_NAME},
               language=tenant.language)
    return export
