"""`make bench`'s billing benchmark empties the invoicing tables of its scratch database before and after its runs.
TRUNCATE refuses to leave behind a table that refers to a truncated one, so a model added later that refers to
invoices (customer credits, claims) broke `make bench` until the list was read from the models: this keeps it so."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from django.db import connection

from claims.models import Claim
from invoicing.models import CustomerCredit, Invoice, Plan
from tenants.models import Tenant

BENCH = Path(__file__).resolve().parents[2] / "bench"


def billing_bench():
    sys.path.insert(0, str(BENCH))  # the bench scripts import their helpers (_setup) as top-level modules
    try:
        return importlib.import_module("billing")
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.django_db
def test_the_billing_bench_empties_the_invoices_and_every_table_that_refers_to_them_and_keeps_the_rest():
    tables = billing_bench().tables_to_empty()

    for model in (Invoice, CustomerCredit, Claim):
        assert model._meta.db_table in tables
    for model in (Tenant, Plan):
        assert model._meta.db_table not in tables
    with connection.cursor() as cursor:  # PostgreSQL accepts the statement (rolled back with the test)
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
