"""Browser test (real Chromium): a demo administrator logs in on demo.localhost; the same
credentials fail on acme.localhost (which speaks French to a visitor, whatever the browser's language)."""

from mooc_platform.demo import DEMO_PASSWORD


def _log_in(page, url: str, email: str, password: str, labels: tuple[str, str] = ("Password", "Log in")) -> None:
    page.goto(url + "/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label(labels[0]).fill(password)
    page.get_by_role("button", name=labels[1]).click()


def test_demo_admin_logs_in_on_demo_and_not_on_acme(live_server_port: int, page) -> None:
    _log_in(page, f"http://demo.localhost:{live_server_port}", "admin@demo.test", DEMO_PASSWORD)
    assert page.get_by_test_id("tenant-name").inner_text() == "Demo University"
    assert page.get_by_test_id("welcome").inner_text() == "Welcome, Ada Admin."

    _log_in(page, f"http://acme.localhost:{live_server_port}", "admin@demo.test", DEMO_PASSWORD,
            labels=("Mot de passe", "Se connecter"))
    assert "E-mail inconnu ou mot de passe incorrect" in page.get_by_test_id("login-error").inner_text()
    assert page.get_by_test_id("brand").inner_text() == "ACME Corporate Academy"
