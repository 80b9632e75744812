"""Single sign-on in the API (issue 17 item 1): `/api/v1/sso/providers/` and `/api/v1/sso/policy/` for the
organisation's administrators; the client secret is write-only and comes back masked; errors in the envelope;
another organisation sees nothing; the SP metadata is served by the tenant host."""

from __future__ import annotations

from django.test import Client
from django_tenants.utils import schema_context

from integrations.models import IdentityProvider
from tests.helpers import api_client, client_for

from .helpers import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, IdpProcess

HOST = "acme.localhost"


def _oidc_body(oidc_provider: IdpProcess, **extra) -> dict:
    return {"protocol": "oidc", "name": "Acme Login", "client_id": OIDC_CLIENT_ID,
            "client_secret": OIDC_CLIENT_SECRET,
            "discovery_url": f"{oidc_provider.base}/.well-known/openid-configuration", "provisioning": "jit",
            "role_attribute": "groups", "role_mapping": {"teachers": "instructor"}, **extra}


def test_an_administrator_adds_reads_updates_and_deletes_a_provider(acme, oidc_provider, settings) -> None:
    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "https", ""
    admin = client_for(HOST, "admin@acme.test")
    created = admin.post("/api/v1/sso/providers/", _oidc_body(oidc_provider), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert OIDC_CLIENT_SECRET not in created.content.decode()
    assert (body["name"], body["protocol"], body["client_secret"], body["provisioning"], body["role_mapping"]) == (
        "Acme Login", "oidc", "••••6789", "jit", {"teachers": "instructor"})
    assert body["service_provider"] == {
        "redirect_uri": f"https://acme.{settings.PLATFORM_DOMAIN}/sso/{body['id']}/oidc/callback/"}
    listed = admin.get("/api/v1/sso/providers/").json()
    assert [p["name"] for p in listed["results"]] == ["Acme Login"]
    patched = admin.patch(f"/api/v1/sso/providers/{body['id']}/", {"name": "Acme SSO", "is_active": False},
                          format="json")
    assert patched.status_code == 200 and (patched.json()["name"], patched.json()["is_active"]) == ("Acme SSO", False)
    with schema_context(acme.schema_name):
        assert IdentityProvider.objects.get().client_secret == OIDC_CLIENT_SECRET
    assert admin.delete(f"/api/v1/sso/providers/{body['id']}/").status_code == 204
    assert admin.get(f"/api/v1/sso/providers/{body['id']}/").status_code == 404


def test_bad_configurations_answer_the_error_envelope(acme, oidc_provider) -> None:
    admin = client_for(HOST, "admin@acme.test")
    no_https = admin.post("/api/v1/sso/providers/", _oidc_body(
        oidc_provider, discovery_url="http://login.example.com/.well-known/openid-configuration"), format="json")
    assert no_https.status_code == 400
    message = "L'adresse du fournisseur d'identité doit utiliser HTTPS."  # acme's administrator reads French
    assert no_https.json()["error"] == {"code": "sso_configuration_invalid", "message": message,
                                        "details": {"discovery_url": [message]}}
    no_secret = admin.post("/api/v1/sso/providers/", {**_oidc_body(oidc_provider), "client_secret": ""},
                           format="json")
    assert no_secret.status_code == 400
    saml = admin.post("/api/v1/sso/providers/", {"protocol": "saml", "name": "X", "metadata_xml": "<x/>"},
                      format="json")
    assert saml.json()["error"]["details"] == {"metadata_xml": ["Ce ne sont pas les métadonnées SAML d'un "
                                                                "fournisseur d'identité."]}
    role = admin.post("/api/v1/sso/providers/", _oidc_body(oidc_provider, role_mapping={"x": "operator"}),
                      format="json")
    assert role.status_code == 400 and role.json()["error"]["code"] == "validation_error"


def test_the_policy_needs_an_enabled_provider_and_is_for_administrators(acme, oidc_provider) -> None:
    admin = client_for(HOST, "admin@acme.test")
    instructor = client_for(HOST, "instructor@acme.test")  # signed in before "SSO only"
    assert admin.get("/api/v1/sso/policy/").json() == {"mode": "sso_and_password"}
    refused = admin.put("/api/v1/sso/policy/", {"mode": "sso_only"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == ("Activez un fournisseur d'identité avant d'imposer "
                                                  "l'authentification unique.")
    admin.post("/api/v1/sso/providers/", _oidc_body(oidc_provider), format="json")
    assert admin.put("/api/v1/sso/policy/", {"mode": "sso_only"}, format="json").json() == {"mode": "sso_only"}
    assert instructor.get("/api/v1/sso/policy/").status_code == 403
    assert instructor.get("/api/v1/sso/providers/").status_code == 403
    assert instructor.put("/api/v1/sso/policy/", {"mode": "sso_and_password"}, format="json").status_code == 403
    assert api_client(HOST).get("/api/v1/sso/providers/").status_code == 401


def test_another_organisation_sees_none_of_the_providers(acme, demo, oidc_provider) -> None:
    acme_admin = client_for(HOST, "admin@acme.test")
    provider_id = acme_admin.post("/api/v1/sso/providers/", _oidc_body(oidc_provider), format="json").json()["id"]
    demo_admin = client_for("demo.localhost", "admin@demo.test")
    assert demo_admin.get("/api/v1/sso/providers/").json()["results"] == []
    for method in ("get", "patch", "delete"):
        assert getattr(demo_admin, method)(f"/api/v1/sso/providers/{provider_id}/", {}, format="json").status_code \
            == 404
    assert Client(HTTP_HOST="demo.localhost").get(f"/sso/{provider_id}/login/").status_code == 404
    assert acme_admin.get(f"/api/v1/sso/providers/{provider_id}/").json()["name"] == "Acme Login"


def test_the_sp_metadata_is_served_by_the_tenant_host(acme, saml_idp, settings) -> None:
    settings.PLATFORM_URL_SCHEME, settings.PLATFORM_URL_PORT = "https", ""
    admin = client_for(HOST, "admin@acme.test")
    created = admin.post("/api/v1/sso/providers/", {"protocol": "saml", "name": "Uni IdP",
                                                    "metadata_url": f"{saml_idp.base}/metadata",
                                                    "email_attribute": "mail"}, format="json")
    assert created.status_code == 201, created.content
    provider = created.json()
    base = f"https://acme.{settings.PLATFORM_DOMAIN}/sso/{provider['id']}/saml"
    assert provider["service_provider"] == {"entity_id": f"{base}/metadata/", "acs_url": f"{base}/acs/",
                                            "metadata_url": f"{base}/metadata/"}
    assert provider["idp_entity_id"] == f"{saml_idp.base}/metadata"
    response = Client(HTTP_HOST=HOST).get(f"/sso/{provider['id']}/saml/metadata/?download")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/samlmetadata+xml; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="sp-metadata-{provider["id"]}.xml"'
    xml = response.content.decode()
    assert f'entityID="{base}/metadata/"' in xml and f'Location="{base}/acs/"' in xml
    assert Client(HTTP_HOST="demo.localhost").get(f"/sso/{provider['id']}/saml/metadata/").status_code == 404
