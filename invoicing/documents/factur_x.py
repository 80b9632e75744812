"""The Factur-X (EN 16931, profile BASIC WL) XML of an invoice or credit note."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from ..models import Invoice

FACTURX_PROFILE = "basicwl"


def _d(day: date) -> str:
    return f'<udt:DateTimeString format="102">{day:%Y%m%d}</udt:DateTimeString>'


def _a(amount: Decimal) -> str:
    return f"{abs(amount):.2f}"


VAT_CATEGORY = {"fr": ("S", "", ""),
                "reverse_charge": ("AE", "Autoliquidation / Reverse charge", "VATEX-EU-AE"),
                "export": ("G", "Export outside the EU", "VATEX-EU-G"),
                "oss": ("S", "", "")}  # standard-rated, at the buyer's member state's rate


def invoice_facturx_xml(*, invoice: Invoice) -> bytes:
    """The invoice as a Cross-Industry Invoice, Factur-X profile BASIC WL (header-level data)."""
    seller, buyer = invoice.seller, invoice.buyer
    category, reason, reason_code = VAT_CATEGORY[invoice.vat_scheme]
    type_code = "381" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "380"
    buyer_vat = (f'<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{escape(buyer["vat_number"])}</ram:ID>'
                 "</ram:SpecifiedTaxRegistration>") if buyer.get("vat_number") else ""
    buyer_siren = (f'<ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{escape(buyer["siren"])}</ram:ID>'
                   "</ram:SpecifiedLegalOrganization>") if buyer.get("siren") else ""
    exemption = (f"<ram:ExemptionReason>{escape(reason)}</ram:ExemptionReason>" if reason else "")
    exemption_code = f"<ram:ExemptionReasonCode>{reason_code}</ram:ExemptionReasonCode>" if reason_code else ""
    period = (f"<ram:BillingSpecifiedPeriod><ram:StartDateTime>{_d(invoice.period_start)}</ram:StartDateTime>"
              f"<ram:EndDateTime>{_d(invoice.period_end)}</ram:EndDateTime></ram:BillingSpecifiedPeriod>"
              if invoice.period_start and invoice.period_end else "")
    referenced = (f"<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>{escape(invoice.credited_invoice.number)}"
                  f"</ram:IssuerAssignedID></ram:InvoiceReferencedDocument>" if invoice.credited_invoice_id else "")
    iban = (seller.get("iban") or "").replace(" ", "")
    means = (f"<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode>"
             f"<ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{escape(iban)}</ram:IBANID>"
             f"</ram:PayeePartyCreditorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>" if iban else "")
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" \
xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100" \
xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" \
xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>\
<ram:ID>urn:factur-x.eu:1p0:basicwl</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>\
</rsm:ExchangedDocumentContext>
<rsm:ExchangedDocument><ram:ID>{escape(invoice.number or "")}</ram:ID><ram:TypeCode>{type_code}</ram:TypeCode>\
<ram:IssueDateTime>{_d(invoice.issue_date)}</ram:IssueDateTime>\
<ram:IncludedNote><ram:Content>{escape(invoice.legal_mentions)}</ram:Content><ram:SubjectCode>PMT</ram:SubjectCode>\
</ram:IncludedNote></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction>
<ram:ApplicableHeaderTradeAgreement>
<ram:SellerTradeParty><ram:Name>{escape(seller["name"])}</ram:Name>\
<ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{escape(seller.get("siren", ""))}</ram:ID>\
</ram:SpecifiedLegalOrganization>\
<ram:PostalTradeAddress><ram:LineOne>{escape(seller.get("address", ""))}</ram:LineOne>\
<ram:CountryID>{seller.get("country", "FR")}</ram:CountryID></ram:PostalTradeAddress>\
<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{escape(seller.get("vat_number", ""))}</ram:ID>\
</ram:SpecifiedTaxRegistration></ram:SellerTradeParty>
<ram:BuyerTradeParty><ram:Name>{escape(buyer["name"])}</ram:Name>{buyer_siren}\
<ram:PostalTradeAddress><ram:LineOne>{escape(buyer.get("address", "").replace(chr(10), ", "))}</ram:LineOne>\
<ram:CountryID>{escape(buyer["country"])}</ram:CountryID></ram:PostalTradeAddress>{buyer_vat}</ram:BuyerTradeParty>
</ram:ApplicableHeaderTradeAgreement>
<ram:ApplicableHeaderTradeDelivery/>
<ram:ApplicableHeaderTradeSettlement>
<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>{means}
<ram:ApplicableTradeTax><ram:CalculatedAmount>{_a(invoice.total_vat)}</ram:CalculatedAmount>\
<ram:TypeCode>VAT</ram:TypeCode>{exemption}<ram:BasisAmount>{_a(invoice.total_excl_tax)}</ram:BasisAmount>\
<ram:CategoryCode>{category}</ram:CategoryCode>{exemption_code}\
<ram:RateApplicablePercent>{invoice.vat_rate:.2f}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
{period}<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>{_d(invoice.due_date)}</ram:DueDateDateTime>\
</ram:SpecifiedTradePaymentTerms>
<ram:SpecifiedTradeSettlementHeaderMonetarySummation>\
<ram:LineTotalAmount>{_a(invoice.total_excl_tax)}</ram:LineTotalAmount>\
<ram:TaxBasisTotalAmount>{_a(invoice.total_excl_tax)}</ram:TaxBasisTotalAmount>\
<ram:TaxTotalAmount currencyID="EUR">{_a(invoice.total_vat)}</ram:TaxTotalAmount>\
<ram:GrandTotalAmount>{_a(invoice.total_incl_tax)}</ram:GrandTotalAmount>\
<ram:DuePayableAmount>{_a(invoice.total_incl_tax)}</ram:DuePayableAmount>\
</ram:SpecifiedTradeSettlementHeaderMonetarySummation>{referenced}
</ram:ApplicableHeaderTradeSettlement>
</rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""
    return xml.encode("utf-8")
