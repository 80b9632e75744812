"""Single sign-on services (issue 17 item 1) against real identity providers on loopback (tests/integrations/
sso_oidc_provider.py and sso_saml_idp.py, second processes): OIDC and SAML sign-in, just-in-time creation within
the seat limit (SPEC R2), existing users only, role mapping, the "SSO only" policy refusing passwords, and every
refusal of the IdP's answer (bad state, bad signature, expired, unknown user) as a clear SsoFailedError."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from courses.services import seats_taken
from integrations.errors import SsoConfigurationError, SsoFailedError
from integrations.models import IdentityProvider, SsoRequest
from integrations.services import sso
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import AuditEvent, Tenant
from tests.courses.helpers import seats_leave_free
from tests.helpers import api_client

from .helpers import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, IdpProcess, oidc_authorize, saml_sign_in

BASE = "http://acme.localhost:8000/"
IDP_PASSWORD = "idp-password-2026"


def _admin():
    return get_user_model().objects.get(email="admin@acme.test")


def _oidc(oidc_provider: IdpProcess, **fields) -> IdentityProvider:
    values = {"name": "Acme Login", "discovery_url": f"{oidc_provider.base}/.well-known/openid-configuration",
              "client_id": OIDC_CLIENT_ID, "client_secret": OIDC_CLIENT_SECRET, "role_attribute": "groups",
              "role_mapping": {"teachers": "instructor", "it-admins": "administrator"}, **fields}
    return sso.identity_provider_create(protocol="oidc", actor=_admin(), **values)


def _saml(saml_idp: IdpProcess, **fields) -> IdentityProvider:
    values = {"name": "Acme University IdP", "metadata_url": f"{saml_idp.base}/metadata", "email_attribute": "mail",
              "name_attribute": "displayName", "role_attribute": "eduPersonAffiliation",
              "role_mapping": {"faculty": "instructor"}, **fields}
    provider = sso.identity_provider_create(protocol="saml", actor=_admin(), **values)
    saml_idp.admin("sp", raw=sso.sso_sp_metadata(provider=provider, base_url=BASE))
    return provider


def _oidc_sign_in(provider: IdentityProvider, *, email: str, password: str = IDP_PASSWORD):
    url, state = sso.sso_begin(provider=provider, base_url=BASE, next_url="/courses/")
    answer = oidc_authorize(url, email=email, password=password)
    return sso.sso_oidc_complete(provider=provider, base_url=BASE, state=answer.get("state", ""),
                                 code=answer.get("code", ""), error=answer.get("error", ""), session_state=state)


def _saml_response(provider: IdentityProvider, *, email: str) -> str:
    url, _request_id = sso.sso_begin(provider=provider, base_url=BASE, next_url="/courses/")
    return saml_sign_in(url, email=email, password=IDP_PASSWORD)


def _users(idp: IdpProcess, *users: dict) -> None:
    idp.admin("users", {"users": [{"password": IDP_PASSWORD, **u} for u in users]})


def test_oidc_sign_in_of_an_existing_user_applies_the_role_mapping(acme, oidc_provider) -> None:
    _users(oidc_provider, {"email": "learner1@acme.test", "name": "Léa", "groups": ["staff", "teachers"]})
    with schema_context(acme.schema_name):
        provider = _oidc(oidc_provider)
        user, next_url = _oidc_sign_in(provider, email="learner1@acme.test")
        assert (user.email, user.role, next_url) == ("learner1@acme.test", "instructor", "/courses/")
        assert SsoRequest.objects.count() == 0  # used once
        events = list(AuditEvent.objects.filter(tenant=acme, action__startswith="sso.").order_by("id")
                      .values_list("action", "after"))
    assert [a for a, _ in events] == ["sso.provider_created", "sso.signed_in"]
    assert events[0][1]["client_secret"] == "••••6789" and OIDC_CLIENT_SECRET not in str(events[0][1])
    assert events[1][1] == {"email": "learner1@acme.test", "provider": "Acme Login", "protocol": "oidc",
                            "role": "instructor"}


def test_existing_users_only_refuses_an_unknown_person(acme, oidc_provider) -> None:
    _users(oidc_provider, {"email": "stranger@acme.test", "name": "Stranger"})
    with schema_context(acme.schema_name):
        provider = _oidc(oidc_provider, provisioning="existing")
        with pytest.raises(SsoFailedError) as refused:
            _oidc_sign_in(provider, email="stranger@acme.test")
        assert not get_user_model().objects.filter(email="stranger@acme.test").exists()
    assert refused.value.reason == "unknown_user"
    assert refused.value.message == ("stranger@acme.test is not a user of this organisation. Ask its administrator "
                                     "to register you.")
    assert AuditEvent.objects.filter(tenant=acme, action="sso.refused").get().after == {
        "provider": "Acme Login", "reason": "unknown_user", "email": "stranger@acme.test"}


def test_just_in_time_creation_takes_a_seat_and_the_mapped_role(acme, oidc_provider) -> None:
    _users(oidc_provider, {"email": "New.Person@acme.test", "name": "New Person", "groups": ["it-admins"]},
           {"email": "other@acme.test", "name": "Other"})
    seats_leave_free(acme, 1)
    with schema_context(acme.schema_name):
        provider = _oidc(oidc_provider, provisioning="jit")
        before = seats_taken()
        user, _next = _oidc_sign_in(provider, email="new.person@acme.test")
        assert (user.email, user.full_name, user.role, user.is_active) == (
            "new.person@acme.test", "New Person", "administrator", True)
        assert user.has_usable_password() and seats_taken() == before + 1
        # The seat limit is reached: the next person is refused, clearly, and nobody is created.
        with pytest.raises(SsoFailedError) as full:
            _oidc_sign_in(provider, email="other@acme.test")
        assert not get_user_model().objects.filter(email="other@acme.test").exists()
        assert seats_taken() == before + 1
    assert full.value.reason == "seats_full" and full.value.status_code == 409
    assert full.value.message == ("other@acme.test cannot join: every seat of the organisation's subscription is "
                                  "taken. Ask its administrator to free a seat or raise the seat limit.")
    assert AuditEvent.objects.filter(tenant=acme, action="sso.user_created").get().after == {
        "email": "new.person@acme.test", "role": "administrator", "provider": "Acme Login"}


def test_jit_without_a_mapped_value_gives_the_default_role(acme, oidc_provider) -> None:
    _users(oidc_provider, {"email": "plain@acme.test", "name": "Plain", "groups": ["unknown-group"]})
    Tenant.objects.filter(pk=acme.pk).update(seat_limit=1000)
    with schema_context(acme.schema_name):
        provider = _oidc(oidc_provider, provisioning="jit", default_role="learner")
        user, _next = _oidc_sign_in(provider, email="plain@acme.test")
    assert user.role == "learner"


def test_the_last_administrator_keeps_the_role_whatever_the_idp_says(acme, oidc_provider) -> None:
    _users(oidc_provider, {"email": "admin@acme.test", "name": "Admin", "groups": ["teachers"]})
    with schema_context(acme.schema_name):
        provider = _oidc(oidc_provider)
        user, _next = _oidc_sign_in(provider, email="admin@acme.test")
    assert user.role == "administrator"


@pytest.mark.parametrize(("mode", "reason", "message"), [
    ("wrong_key", "invalid_id_token", "The identity provider's answer could not be verified (bad signature or not "
                                      "meant for us). Nobody was signed in."),
    ("expired", "expired", "The identity provider's answer has expired. Start again from the sign-in page."),
    ("wrong_nonce", "invalid_id_token", "The identity provider's answer could not be verified (bad signature or "
                                        "not meant for us). Nobody was signed in."),
])
def test_a_bad_id_token_is_refused(acme, oidc_provider, mode, reason, message) -> None:
    _users(oidc_provider, {"email": "learner1@acme.test"})
    oidc_provider.admin("mode", {"mode": mode})
    with schema_context(acme.schema_name):
        provider = _oidc(oidc_provider)
        with pytest.raises(SsoFailedError) as refused:
            _oidc_sign_in(provider, email="learner1@acme.test")
    assert (refused.value.reason, refused.value.message) == (reason, message)


def test_a_bad_or_replayed_state_is_refused(acme, oidc_provider) -> None:
    _users(oidc_provider, {"email": "learner1@acme.test"})
    with schema_context(acme.schema_name):
        provider = _oidc(oidc_provider)
        url, state = sso.sso_begin(provider=provider, base_url=BASE)
        answer = oidc_authorize(url, email="learner1@acme.test", password=IDP_PASSWORD)
        with pytest.raises(SsoFailedError) as forged:
            sso.sso_oidc_complete(provider=provider, base_url=BASE, state="forged", code=answer["code"],
                                  session_state="forged")
        user, _next = sso.sso_oidc_complete(provider=provider, base_url=BASE, state=state, code=answer["code"],
                                            session_state=state)
        with pytest.raises(SsoFailedError) as replayed:
            sso.sso_oidc_complete(provider=provider, base_url=BASE, state=state, code=answer["code"],
                                  session_state=state)
        # Started in another browser: the state exists but this session did not start it (login CSRF).
        url, state = sso.sso_begin(provider=provider, base_url=BASE)
        answer = oidc_authorize(url, email="learner1@acme.test", password=IDP_PASSWORD)
        with pytest.raises(SsoFailedError) as elsewhere:
            sso.sso_oidc_complete(provider=provider, base_url=BASE, state=state, code=answer["code"],
                                  session_state="")
    assert user.email == "learner1@acme.test"
    assert forged.value.reason == replayed.value.reason == elsewhere.value.reason == "bad_state"
    assert replayed.value.message == ("This sign-in link has expired or was already used. Start again from the "
                                      "sign-in page.")


def test_a_sign_in_started_more_than_ten_minutes_ago_is_refused(acme, oidc_provider) -> None:
    _users(oidc_provider, {"email": "learner1@acme.test"})
    with schema_context(acme.schema_name):
        provider = _oidc(oidc_provider)
        url, state = sso.sso_begin(provider=provider, base_url=BASE)
        answer = oidc_authorize(url, email="learner1@acme.test", password=IDP_PASSWORD)
        with time_machine.travel(timezone.now() + timedelta(minutes=11)), pytest.raises(SsoFailedError) as late:
            sso.sso_oidc_complete(provider=provider, base_url=BASE, state=state, code=answer["code"],
                                  session_state=state)
    assert late.value.reason == "bad_state"


def test_the_idp_cancelled_sign_in_is_a_clear_refusal(acme, oidc_provider) -> None:
    with schema_context(acme.schema_name):
        provider = _oidc(oidc_provider)
        _url, state = sso.sso_begin(provider=provider, base_url=BASE)
        with pytest.raises(SsoFailedError) as refused:
            sso.sso_oidc_complete(provider=provider, base_url=BASE, state=state, code="", error="access_denied",
                                  session_state=state)
    assert refused.value.message == "Acme Login did not sign you in (access_denied)."


def test_saml_sign_in_reads_the_mapped_attributes(acme, saml_idp) -> None:
    _users(saml_idp, {"email": "learner2@acme.test", "name": "Lou", "affiliations": ["member", "faculty"]})
    with schema_context(acme.schema_name):
        provider = _saml(saml_idp)
        assert provider.idp_entity_id == f"{saml_idp.base}/metadata" and "<" in provider.metadata_xml
        response = _saml_response(provider, email="learner2@acme.test")
        user, next_url = sso.sso_saml_complete(provider=provider, base_url=BASE, saml_response=response)
        assert (user.email, user.role, next_url) == ("learner2@acme.test", "instructor", "/courses/")
        # The same answer posted again is refused: its request was used.
        with pytest.raises(SsoFailedError) as replayed:
            sso.sso_saml_complete(provider=provider, base_url=BASE, saml_response=response)
    assert replayed.value.reason == "unsolicited"


def test_saml_jit_creates_the_user_with_the_name(acme, saml_idp) -> None:
    _users(saml_idp, {"email": "prof@acme.test", "name": "Prof Martin", "affiliations": ["faculty"]})
    Tenant.objects.filter(pk=acme.pk).update(seat_limit=1000)
    with schema_context(acme.schema_name):
        provider = _saml(saml_idp, provisioning="jit")
        user, _next = sso.sso_saml_complete(provider=provider, base_url=BASE,
                                            saml_response=_saml_response(provider, email="prof@acme.test"))
    assert (user.email, user.full_name, user.role) == ("prof@acme.test", "Prof Martin", "instructor")


def test_saml_assertion_signed_by_another_key_is_refused(acme, saml_idp) -> None:
    _users(saml_idp, {"email": "learner2@acme.test"})
    saml_idp.admin("mode", {"mode": "wrong_key"})
    with schema_context(acme.schema_name):
        provider = _saml(saml_idp)
        response = _saml_response(provider, email="learner2@acme.test")
        with pytest.raises(SsoFailedError) as refused:
            sso.sso_saml_complete(provider=provider, base_url=BASE, saml_response=response)
    assert refused.value.reason == "bad_signature"
    assert refused.value.message == "The identity provider's answer is not signed with its key. Nobody was signed in."


def test_an_expired_saml_assertion_is_refused(acme, saml_idp) -> None:
    _users(saml_idp, {"email": "learner2@acme.test"})
    with schema_context(acme.schema_name):
        provider = _saml(saml_idp)
        response = _saml_response(provider, email="learner2@acme.test")
        with time_machine.travel(timezone.now() + timedelta(minutes=9)), pytest.raises(SsoFailedError) as late:
            sso.sso_saml_complete(provider=provider, base_url=BASE, saml_response=response)
    assert late.value.reason == "expired"


def test_garbage_instead_of_a_saml_response_is_refused(acme, saml_idp) -> None:
    with schema_context(acme.schema_name):
        provider = _saml(saml_idp)
        for garbage in ("", "bm90IHhtbA==", "%%%"):
            with pytest.raises(SsoFailedError):
                sso.sso_saml_complete(provider=provider, base_url=BASE, saml_response=garbage)


def test_sso_only_refuses_passwords_except_to_administrators(acme, oidc_provider) -> None:
    host = "acme.localhost"
    with schema_context(acme.schema_name):
        with pytest.raises(SsoConfigurationError):  # no provider yet: nobody could sign in
            sso.sso_policy_set(mode="sso_only", actor=_admin())
        _oidc(oidc_provider)
        sso.sso_policy_set(mode="sso_only", actor=_admin())
    refused = api_client(host).post("/api/v1/auth/token/", {"email": "learner1@acme.test",
                                                            "password": DEMO_PASSWORD}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "sso_required"
    admin = api_client(host).post("/api/v1/auth/token/", {"email": "admin@acme.test", "password": DEMO_PASSWORD},
                                  format="json")
    assert admin.status_code == 200
    from django.test import Client

    page = Client(HTTP_HOST=host).post("/login/", {"username": "learner1@acme.test", "password": DEMO_PASSWORD})
    assert page.status_code == 200
    assert "Cette organisation se connecte par son fournisseur d&#x27;identité" in page.content.decode()
    assert AuditEvent.objects.filter(tenant=acme, action="sso.policy_changed").get().after == {"mode": "sso_only"}


def test_configuration_errors_name_the_field(acme, oidc_provider, saml_idp) -> None:
    with schema_context(acme.schema_name), translation.override("en"):
        with pytest.raises(SsoConfigurationError) as https:
            sso.identity_provider_create(protocol="oidc", actor=_admin(), name="X",
                                         discovery_url="http://idp.example.com/.well-known/openid-configuration",
                                         client_id="a", client_secret="b")
        with pytest.raises(SsoConfigurationError) as private:
            sso.identity_provider_create(protocol="oidc", actor=_admin(), name="X",
                                         discovery_url="https://10.1.2.3/.well-known/openid-configuration",
                                         client_id="a", client_secret="b")
        with pytest.raises(SsoConfigurationError) as not_oidc:
            sso.identity_provider_create(protocol="oidc", actor=_admin(), name="X",
                                         discovery_url=f"{saml_idp.base}/metadata", client_id="a", client_secret="b")
        with pytest.raises(SsoConfigurationError) as not_saml:
            sso.identity_provider_create(protocol="saml", actor=_admin(), name="X", metadata_xml="<nope/>")
        with pytest.raises(SsoConfigurationError) as role:
            _oidc(oidc_provider, role_mapping={"x": "operator"})
        assert IdentityProvider.objects.count() == 0
    assert https.value.details == {"discovery_url": ["The identity provider's URL must use HTTPS."]}
    assert private.value.details == {"discovery_url": [
        "The identity provider must be reachable on the internet: not a private address."]}
    assert list(not_oidc.value.details) == ["discovery_url"]
    assert not_saml.value.details == {"metadata_xml": ["This is not the SAML metadata of an identity provider."]}
    assert role.value.details == {"role_mapping": ["Unknown role operator: use administrator, instructor or "
                                                   "learner."]}


def test_the_client_secret_is_kept_when_left_empty_and_never_shown(acme, oidc_provider) -> None:
    with schema_context(acme.schema_name):
        provider = _oidc(oidc_provider)
        sso.identity_provider_update(provider=provider, actor=_admin(), name="Acme SSO", client_secret="")
        provider.refresh_from_db()
        assert (provider.name, provider.client_secret) == ("Acme SSO", OIDC_CLIENT_SECRET)
        sso.identity_provider_update(provider=provider, actor=_admin(), client_secret="a-new-secret-abcd")
        provider.refresh_from_db()
    assert provider.client_secret == "a-new-secret-abcd" and provider.client_secret_masked == "••••abcd"
    updates = list(AuditEvent.objects.filter(tenant=acme, action="sso.provider_updated").order_by("id")
                   .values_list("after", flat=True))
    assert [u["client_secret_changed"] for u in updates] == [False, True]
    assert all("a-new-secret" not in str(u) for u in updates)
