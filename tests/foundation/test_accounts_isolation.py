"""Users live in their tenant's schema (SPEC §2): same e-mail, two organisations, two accounts."""

from django.test import Client
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tests.helpers import api_client, api_token, host_of


def _login(tenant, email: str, password: str) -> Client:
    client = Client(HTTP_HOST=host_of(tenant))
    client.post("/login/", {"username": email, "password": password})
    return client


def test_demo_administrator_logs_in_on_demo(demo) -> None:
    client = _login(demo, "admin@demo.test", DEMO_PASSWORD)
    page = client.get("/")
    assert "Welcome, Ada Admin." in page.content.decode()


def test_demo_credentials_do_not_authenticate_on_acme(demo, acme) -> None:
    response = Client(HTTP_HOST=host_of(acme)).post("/login/", {"username": "admin@demo.test",
                                                                "password": DEMO_PASSWORD})
    assert response.status_code == 200
    # acme speaks French (SPEC §4) to a client that states no language
    assert "E-mail inconnu ou mot de passe incorrect" in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_same_email_in_two_tenants_is_two_accounts(demo, acme) -> None:
    with schema_context(demo.schema_name):
        in_demo = User.objects.create_user("shared@example.org", "demo-secret-password-1")
    with schema_context(acme.schema_name):
        in_acme = User.objects.create_user("shared@example.org", "acme-secret-password-2",
                                           role=User.Role.INSTRUCTOR)
    assert _login(demo, "shared@example.org", "acme-secret-password-2").session.get("_auth_user_id") is None
    assert _login(acme, "shared@example.org", "acme-secret-password-2").session.get("_auth_user_id") == str(in_acme.pk)
    assert _login(demo, "shared@example.org", "demo-secret-password-1").session.get("_auth_user_id") == str(in_demo.pk)


def test_session_of_one_tenant_is_not_valid_on_another(demo, acme) -> None:
    client = _login(demo, "admin@demo.test", DEMO_PASSWORD)
    cookie = client.cookies["sessionid"].value
    other = Client(HTTP_HOST=host_of(acme))
    other.cookies["sessionid"] = cookie
    assert b"Welcome" not in other.get("/").content


def test_token_is_valid_only_on_the_host_that_issued_it(demo, acme) -> None:
    token = api_token(host_of(demo), "admin@demo.test")
    me = api_client(host_of(demo), token).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "admin@demo.test"
    assert me.json()["role"] == "administrator"
    foreign = api_client(host_of(acme), token).get("/api/v1/me/")
    assert foreign.status_code == 401
    assert foreign.json()["error"]["code"] == "authentication_failed"


def test_token_endpoint_rejects_bad_credentials_with_the_error_shape(demo) -> None:
    response = api_client(host_of(demo)).post("/api/v1/auth/token/",
                                              {"email": "admin@demo.test", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid_credentials",
                                         "message": "Unknown e-mail or wrong password for this organisation.",
                                         "details": {}}}


def test_token_endpoint_rejects_malformed_input(demo) -> None:
    response = api_client(host_of(demo)).post("/api/v1/auth/token/", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    assert set(body["details"]) == {"email", "password"}


def test_operator_exists_only_in_public(demo) -> None:
    assert User.objects.filter(email="operator@demo.test", role=User.Role.OPERATOR).exists()
    with schema_context(demo.schema_name):
        assert not User.objects.filter(email="operator@demo.test").exists()


def test_api_requires_authentication_with_the_error_shape(demo) -> None:
    response = api_client(host_of(demo)).get("/api/v1/courses/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
