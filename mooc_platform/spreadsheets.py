"""CSV files people open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return is read as a formula by Excel, LibreOffice and Google Sheets (CSV injection, OWASP). Every CSV
the platform writes goes through these helpers (issue 11 item 6); JSON exports keep the raw values."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


def csv_cell_neutralise(value: Any) -> Any:
    """The value, with a leading apostrophe when it is text a spreadsheet would run as a formula.
    Numbers, booleans and None pass unchanged (a negative number is data, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` whose rows are neutralised cell by cell."""

    def __init__(self, stream: _Writable) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell_neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def sql_csv_neutralised(column_sql: str) -> str:
    """A PostgreSQL expression of a text column with the same neutralisation, for `COPY … (FORMAT csv)`."""
    return (f"CASE WHEN left({column_sql}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') "
            f"THEN '''' || {column_sql} ELSE {column_sql} END")
