"""Issued invoices and signed quotes are frozen by the database too (SPEC R5, R8; STYLE 2): a trigger
refuses any change of what was issued or signed, and the deletion of an invoice or of its lines.
Payments, dunning dates, late charges and the PDF key stay writable: they are not the document."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION invoicing_invoice_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoice % is a record: it is never deleted (issue a credit note)', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (OLD.kind, OLD.series_id, OLD.sequence, OLD.number, OLD.subscription_id, OLD.tenant_id,
        OLD.credited_invoice_id, OLD.issue_date, OLD.due_date, OLD.period_start, OLD.period_end, OLD.seller::text,
        OLD.buyer::text, OLD.currency, OLD.vat_scheme, OLD.vat_rate, OLD.vat_mention, OLD.total_excl_tax,
        OLD.total_vat, OLD.total_incl_tax, OLD.legal_mentions)
       IS DISTINCT FROM
       (NEW.kind, NEW.series_id, NEW.sequence, NEW.number, NEW.subscription_id, NEW.tenant_id,
        NEW.credited_invoice_id, NEW.issue_date, NEW.due_date, NEW.period_start, NEW.period_end, NEW.seller::text,
        NEW.buyer::text, NEW.currency, NEW.vat_scheme, NEW.vat_rate, NEW.vat_mention, NEW.total_excl_tax,
        NEW.total_vat, NEW.total_incl_tax, NEW.legal_mentions) THEN
        RAISE EXCEPTION 'invoice % is issued: it cannot be edited (issue a credit note)', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_invoice_frozen BEFORE UPDATE OR DELETE ON invoicing_invoice
    FOR EACH ROW EXECUTE FUNCTION invoicing_invoice_frozen();

CREATE OR REPLACE FUNCTION invoicing_invoiceline_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the lines of an issued invoice cannot change'
        USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_invoiceline_frozen BEFORE UPDATE OR DELETE ON invoicing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION invoicing_invoiceline_frozen();

CREATE OR REPLACE FUNCTION invoicing_quote_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'signed' AND (to_jsonb(OLD) - 'pdf_key') IS DISTINCT FROM (to_jsonb(NEW) - 'pdf_key') THEN
        RAISE EXCEPTION 'quote % is signed: a definitive order cannot be edited', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' AND OLD.status = 'signed' THEN
        RAISE EXCEPTION 'quote % is signed: it is never deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_quote_frozen BEFORE UPDATE OR DELETE ON invoicing_quote
    FOR EACH ROW EXECUTE FUNCTION invoicing_quote_frozen();

CREATE OR REPLACE FUNCTION invoicing_quoteline_frozen() RETURNS trigger AS $$
DECLARE
    quote_status text;
BEGIN
    SELECT status INTO quote_status FROM invoicing_quote
        WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.quote_id ELSE OLD.quote_id END;
    IF quote_status = 'signed' THEN
        RAISE EXCEPTION 'the lines of a signed quote cannot change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_quoteline_frozen BEFORE INSERT OR UPDATE OR DELETE ON invoicing_quoteline
    FOR EACH ROW EXECUTE FUNCTION invoicing_quoteline_frozen();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS invoicing_quoteline_frozen ON invoicing_quoteline;
DROP FUNCTION IF EXISTS invoicing_quoteline_frozen();
DROP TRIGGER IF EXISTS invoicing_quote_frozen ON invoicing_quote;
DROP FUNCTION IF EXISTS invoicing_quote_frozen();
DROP TRIGGER IF EXISTS invoicing_invoiceline_frozen ON invoicing_invoiceline;
DROP FUNCTION IF EXISTS invoicing_invoiceline_frozen();
DROP TRIGGER IF EXISTS invoicing_invoice_frozen ON invoicing_invoice;
DROP FUNCTION IF EXISTS invoicing_invoice_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
