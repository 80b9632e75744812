"""The console follows the operator's language (issue 12 item 6): French pages, French money and dates."""

from __future__ import annotations

from decimal import Decimal

from console.selectors import tenant_users_count
from mooc_platform.accounts.models import User
from mooc_platform.formatting import localized
from tests.helpers import console_client


def test_an_operator_switches_the_console_to_french_and_back(demo) -> None:
    client = console_client()
    english = client.get("/console/").content.decode()
    assert "Organisations by state" in english and 'lang="en"' in english
    assert client.post("/console/language/", {"language": "fr", "next": "/console/"})["Location"] == "/console/"
    assert User.objects.get(email="operator@demo.test").language == "fr"
    french = client.get("/console/").content.decode()
    assert 'lang="fr"' in french
    for text in ("Tableau de bord", "Organisations par état", "Revenu récurrent (EUR HT)",
                 "Factures échues par jours de retard", "Événements d'audit récents", "Déconnexion"):
        assert text in french, text
    for text in ("Organisations by state", "Recent audit events", "Log out", "Overdue invoices"):
        assert text not in french, text
    page = client.get(f"/console/organisations/{demo.pk}/suspend/").content.decode()
    users = tenant_users_count(tenant=demo)  # the demo schema's users (transactional tests may add some)
    assert f"Les {users} utilisateurs de Demo University perdent l&#x27;accès maintenant" in page
    client.post("/console/language/", {"language": "en"})
    assert "Organisations by state" in client.get("/console/").content.decode()


def test_money_is_written_the_french_way_in_french() -> None:
    from django.utils import translation

    with translation.override("fr"):
        assert localized(Decimal("48150.5"), "money") == "48\u00a0150,50\u00a0€"
    with translation.override("en"):
        assert localized(Decimal("48150.5"), "money") == "48,150.50\u00a0€"


def test_console_dates_are_paris_time_and_nothing_leaks_to_the_next_request(demo) -> None:
    from datetime import UTC, datetime

    import time_machine
    from django.utils import timezone, translation

    from tenants.services import audit_record

    with time_machine.travel(datetime(2026, 1, 10, 22, 35, tzinfo=UTC), tick=False):
        audit_record(action="test.paris_time", tenant=demo, target=demo)
    client = console_client()
    english = client.get(f"/console/organisations/{demo.pk}/").content.decode()
    assert "01/10/2026 11:35 p.m." in english  # 23:35 in Paris (UTC+1 in January)
    User.objects.filter(email="operator@demo.test").update(language="fr")
    french = client.get(f"/console/organisations/{demo.pk}/").content.decode()
    assert "10/01/2026 23:35" in french
    assert translation.get_language() != "fr" and timezone.get_current_timezone_name() == "UTC"


def test_maintenance_rules_and_confirmations_are_in_french_for_a_french_operator(demo) -> None:
    from datetime import UTC, datetime

    import time_machine

    from tests.factories import MaintenanceWindowFactory

    User.objects.filter(email="operator@demo.test").update(language="fr")
    with time_machine.travel(datetime(2027, 3, 20, 9, tzinfo=UTC), tick=False):
        client = console_client()
        refused = client.post("/console/maintenance-windows/new/", {
            "start": "2027-03-26T12:00", "end": "2027-03-26T18:00", "scope": "all", "kind": "planned",
            "reason": "r", "message_fr": "Mise à jour.", "message_en": "Upgrade."}).content.decode()
        assert ("Une fenêtre planifiée doit commencer un samedi à partir de 12 h (Europe/Paris, CGV art. 8) ; "
                "celle-ci commence le vendredi 26 mars 2027 12:00 CET.") in refused
        assert "must start on a Saturday" not in refused
        window = MaintenanceWindowFactory(start=datetime(2027, 3, 27, 11, tzinfo=UTC), tenants=[demo],
                                          now=datetime(2027, 3, 20, 9, tzinfo=UTC))
        page = client.get(f"/console/maintenance-windows/{window.pk}/cancel/").content.decode()
        assert "La fenêtre du 27 mars 2027 12:00 – 27 mars 2027 18:00 (heure de Paris) est annulée" in page
        assert "Planifiée" in client.get(f"/console/maintenance-windows/{window.pk}/").content.decode()
