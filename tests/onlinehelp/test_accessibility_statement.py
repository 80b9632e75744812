"""Issue 13 item 7: every organisation's site has an accessibility statement (RGAA): its status, the date of the
evaluation (settings.ACCESSIBILITY), a contact, and the recourse to the Défenseur des droits; in the
organisation's language, linked from the footer of every page."""

from __future__ import annotations

from datetime import date

from django.test import Client

from tests.helpers import host_of


def test_the_french_statement_of_acme(acme, settings) -> None:
    settings.ACCESSIBILITY = {**settings.ACCESSIBILITY, "audit_date": date(2026, 11, 30),
                              "contact_email": "a11y@acme.example"}
    response = Client(HTTP_HOST=host_of(acme)).get("/accessibility/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Déclaration d'accessibilité</h1>" in html
    assert "ACME Corporate Academy s'engage à rendre son site de formation accessible" in html
    assert "Ce site est <strong>partiellement conforme</strong>" in html and "RGAA 4.1.2" in html
    assert '<time datetime="2026-11-30" data-testid="audit-date">30 novembre 2026</time>' in html
    assert '<a href="mailto:a11y@acme.example" data-testid="accessibility-contact">a11y@acme.example</a>' in html
    assert "vous pouvez saisir le Défenseur des droits" in html
    assert "Libre réponse 71120, 75342 Paris CEDEX 07" in html


def test_the_english_statement_of_demo_and_the_footer_link(demo) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    html = client.get("/accessibility/").content.decode()
    assert "This site is <strong>partially compliant</strong>" in html
    assert '<time datetime="2026-12-02" data-testid="audit-date">Dec. 2, 2026</time>' in html
    assert "refer the matter to the Défenseur des droits" in html
    footer = client.get("/help/").content.decode().split('<footer class="site-footer">')[1]
    assert '<a href="/accessibility/" data-testid="accessibility-link">Accessibility: partially compliant</a>' in footer
