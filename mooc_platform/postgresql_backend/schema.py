"""Citus refuses `ALTER TABLE … ADD COLUMN … CHECK (…)` or `… UNIQUE` on a distributed table: "all
constraints in Citus must have explicit names". On a database with the citus extension, the constraints
Django writes inline when it adds a column get the names PostgreSQL itself would give them
(`<table>_<column>_check`, `<table>_<column>_key`), so the schema is the same on both engines.
One PostgreSQL is left exactly as Django does it."""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import schema


def _citus(connection: Any) -> bool:
    cached = getattr(connection, "_mooc_citus", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
            cached = bool(cursor.fetchone()[0])
        connection._mooc_citus = cached
    return cached


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    _adding: tuple[Any, Any] | None = None

    def add_field(self, model: Any, field: Any) -> None:
        if not _citus(self.connection):
            super().add_field(model, field)
            return
        self._adding = (model, field)
        try:
            super().add_field(model, field)
        finally:
            self._adding = None

    def _inline_name(self, suffix: str) -> str:
        model, field = self._adding  # type: ignore[misc]
        return self.quote_name(f"{model._meta.db_table}_{field.column}_{suffix}"[:63])

    @property  # type: ignore[override]
    def sql_check_constraint(self) -> str:
        base_sql = schema.DatabaseSchemaEditor.sql_check_constraint
        if self._adding is None:
            return base_sql
        return f"CONSTRAINT {self._inline_name('check').replace('%', '%%')} {base_sql}"

    def _iter_column_sql(self, column_db_type: Any, params: Any, model: Any, field: Any, field_db_params: Any,
                         include_default: Any) -> Any:
        for part in super()._iter_column_sql(column_db_type, params, model, field, field_db_params,
                                             include_default):
            if part == "UNIQUE" and self._adding is not None and self._adding[1] is field:
                yield f"CONSTRAINT {self._inline_name('key')} UNIQUE"
            else:
                yield part
