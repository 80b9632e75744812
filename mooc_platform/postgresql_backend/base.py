"""Django's PostgreSQL backend, with `schema.DatabaseSchemaEditor` (Citus-safe `ADD COLUMN`)."""

from __future__ import annotations

from django.db.backends.postgresql import base

from .schema import DatabaseSchemaEditor


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
