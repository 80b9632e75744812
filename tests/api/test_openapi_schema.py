"""The OpenAPI schema of each host says what the API answers (SPEC §4).

- drf-spectacular generates both schemas without a warning or an error: a component-name collision (two
  serializers sharing a name, so that one operation documents another's answer) or an unguessable view fails here.
- Every list that answers a page is documented as that page (`{count, next, previous, results}` and `?page=`).
- Real answers of every `GET` operation, on real objects, conform to the schema (schemathesis' conformance checks:
  status code, content type, headers, body); `tests/api/test_fuzz_openapi.py` runs the same checks over generated
  input for every operation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jsonschema
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from django_tenants.utils import schema_context
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from claims import services as claims_services
from claims.models import Claim
from invoicing import services as invoicing_services
from maintenance.models import MaintenanceWindow
from mooc_platform.accounts.models import User
from mooc_platform.accounts.tokens import token_issue
from mooc_platform.openapi import TAG_DESCRIPTIONS
from tenants.models import Tenant
from tests.factories import QuoteFactory
from tests.invoicing.helpers import sign

URLCONFS = {"platform": "mooc_platform.urls_public", "tenant": "mooc_platform.urls_tenant"}
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
               response_schema_conformance]


def _document(urlconf: str) -> dict[str, Any]:
    return SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)


@pytest.mark.parametrize("host", URLCONFS)
def test_the_schema_generates_without_a_warning_component_name_collisions_included(host) -> None:
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        _document(URLCONFS[host])
    assert (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache)) == ({}, {})


PAGINATED = {
    "platform": {"/api/v1/plans/": "PlanOutput", "/api/v1/quotes/": "QuoteOutput",
                 "/api/v1/tenants/": "TenantOutput", "/api/v1/invoices/": "InvoiceOutput",
                 "/api/v1/customers/": "CustomerBalanceOutput", "/api/v1/audit-events/": "AuditEventOutput",
                 "/api/v1/invoices/{invoice_id}/payments/": "PaymentOutput",
                 "/api/v1/custom-domains/": "CustomDomainOutput", "/api/v1/maintenance-windows/": "WindowOutput",
                 "/api/v1/claims/": "OperatorClaimOutput"},
    "tenant": {"/api/v1/billing/invoices/": "InvoiceOutput", "/api/v1/exports/": "ExportOutput",
               "/api/v1/support-access-grants/": "SupportGrantOutput", "/api/v1/audit-events/": "AuditEventOutput",
               "/api/v1/custom-domains/": "CustomDomainOutput",
               "/api/v1/maintenance-windows/": "TenantMaintenanceWindow", "/api/v1/claims/": "ClaimOutput",
               "/api/v1/webhooks/": "WebhookEndpointOutput", "/api/v1/api-keys/": "ApiKeyOutput",
               "/api/v1/webhooks/{endpoint_id}/deliveries/": "WebhookDeliveryOutput",
               "/api/v1/sso/providers/": "IdentityProviderOutput",
               "/api/v1/courses/{course_id}/cartridge-exports/": "CartridgeExportOutput",
               "/api/v1/xapi/statements/": "XapiStatementOutput"},
}


@pytest.mark.parametrize("host", URLCONFS)
def test_every_paginated_list_is_documented_as_a_page_with_its_page_parameter(host) -> None:
    document = _document(URLCONFS[host])
    schemas = document["components"]["schemas"]
    for path, item in PAGINATED[host].items():
        operation = document["paths"][path]["get"]
        assert "page" in [p["name"] for p in operation["parameters"]], path
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = schemas[ref.rsplit("/", 1)[1]]
        assert (sorted(page["properties"]), page["properties"]["results"]["items"]["$ref"]) == (
            ["count", "next", "previous", "results"], f"#/components/schemas/{item}"), path


def test_me_is_documented_as_the_user_and_the_token_endpoint_as_the_token() -> None:
    document = _document(URLCONFS["tenant"])
    schemas = document["components"]["schemas"]

    def answer(path: str, method: str) -> dict[str, Any]:
        ref = document["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        return schemas[ref.rsplit("/", 1)[1]]

    assert sorted(answer("/api/v1/me/", "get")["properties"]) == ["email", "full_name", "id", "language", "role"]
    assert sorted(answer("/api/v1/auth/token/", "post")["properties"]) == ["expires_at", "token"]


# --- Resources, errors, examples, webhook payloads (issue 17 item 4) -------------------------------------------

METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS]


def _json_schema(schema: Any, components: dict[str, Any], *, direction: str, depth: int = 0) -> Any:
    """An OpenAPI 3.0 schema as a JSON Schema (references inlined, `nullable` as a null alternative, the fields
    of the other direction left out), to validate the examples with jsonschema."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        if depth > 12:
            return {}
        return _json_schema(components[schema["$ref"].rsplit("/", 1)[1]], components, direction=direction,
                            depth=depth + 1)
    converted: dict[str, Any] = {}
    skip = "readOnly" if direction == "request" else "writeOnly"
    for key, value in schema.items():
        if key == "properties":
            converted[key] = {name: _json_schema(prop, components, direction=direction, depth=depth + 1)
                              for name, prop in value.items() if not (isinstance(prop, dict) and prop.get(skip))}
        elif key == "required":
            converted[key] = [name for name in value if not schema.get("properties", {}).get(name, {}).get(skip)]
        elif key in ("items", "additionalProperties", "not"):
            converted[key] = _json_schema(value, components, direction=direction, depth=depth + 1)
        elif key in ("allOf", "oneOf", "anyOf"):
            converted[key] = [_json_schema(part, components, direction=direction, depth=depth + 1) for part in value]
        elif key not in ("nullable", "example", "readOnly", "writeOnly", "format"):
            converted[key] = value
    if schema.get("nullable"):
        converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def _validate(example: Any, schema: dict[str, Any], components: dict[str, Any], *, direction: str) -> None:
    jsonschema.validate(example, _json_schema(schema, components, direction=direction))


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


@pytest.mark.parametrize("host", URLCONFS)
def test_every_reference_resolves(host) -> None:
    """A dangling `$ref` (a webhook payload's nested object once was one) breaks every client generator."""
    document = _document(URLCONFS[host])
    names = {f"#/components/schemas/{name}" for name in document["components"]["schemas"]}
    assert _refs(document) - names == set()


@pytest.mark.parametrize("host", URLCONFS)
def test_every_operation_is_grouped_under_its_resource_tag_and_every_tag_is_described(host) -> None:
    document = _document(URLCONFS[host])
    used = set()
    for path, method, operation in _operations(document):
        resource = path.removeprefix("/api/v1/").split("/")[0]
        assert operation["tags"] == [resource], (method, path)
        used.add(resource)
    assert [tag["name"] for tag in document["tags"]] == sorted(used)
    assert not used - set(TAG_DESCRIPTIONS), "describe the new resources in mooc_platform.openapi.TAG_DESCRIPTIONS"
    assert all(tag["description"] == TAG_DESCRIPTIONS[tag["name"]] for tag in document["tags"])


@pytest.mark.parametrize("host", URLCONFS)
def test_every_operation_documents_its_error_answers_with_the_envelope_and_an_example(host) -> None:
    document = _document(URLCONFS[host])
    components = document["components"]["schemas"]
    assert components["Error"]["properties"]["error"]["required"] == ["code", "message", "details"]
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        expected = {"4XX", "429"}
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected.add("400")
        if {} not in operation.get("security", [{}]):  # credentials needed (no security: none, like the token)
            expected |= {"401", "403"}
        errors = {status for status in responses if status.startswith("4")}
        assert expected <= errors, (method, path, sorted(expected - errors))
        for status in errors:
            media = responses[status]["content"]["application/json"]
            assert media["schema"] == {"$ref": "#/components/schemas/Error"}, (method, path, status)
            assert responses[status]["description"]
            for example in media.get("examples", {}).values():
                _validate(example["value"], media["schema"], components, direction="response")
            if status != "4XX":
                assert media["examples"], (method, path, status)


@pytest.mark.parametrize("host", URLCONFS)
def test_every_json_body_and_success_answer_has_an_example_that_conforms_to_its_schema(host) -> None:
    document = _document(URLCONFS[host])
    components = document["components"]["schemas"]
    checked = 0
    for path, method, operation in _operations(document):
        bodies = [("request", operation.get("requestBody", {}).get("content", {}).get("application/json"))]
        bodies += [("response", response.get("content", {}).get("application/json"))
                   for status, response in operation["responses"].items() if status.startswith("2")]
        for direction, media in bodies:
            if media is None or "schema" not in media:
                continue
            assert media.get("examples"), (method, path, direction)
            for example in media["examples"].values():
                _validate(example["value"], media["schema"], components, direction=direction)
                checked += 1
    assert checked > {"platform": 60, "tenant": 120}[host]


def test_hand_written_examples_are_kept() -> None:
    document = _document(URLCONFS["tenant"])
    create = document["paths"]["/api/v1/webhooks/"]["post"]["requestBody"]["content"]["application/json"]
    assert create["examples"]["EnrolmentsAndCertificates"]["value"]["events"] == ["enrollment.created",
                                                                                  "certificate.issued"]


def test_every_webhook_event_payload_is_documented_with_its_signature_headers_and_an_example() -> None:
    from integrations.events import EVENT_TYPES

    document = _document(URLCONFS["tenant"])
    components = document["components"]["schemas"]
    assert sorted(document["x-webhooks"]) == sorted(EVENT_TYPES)
    for event_type, item in document["x-webhooks"].items():
        operation = item["post"]
        assert operation["tags"] == ["webhooks"]
        assert [p["name"] for p in operation["parameters"]] == ["Webhook-Id", "Webhook-Timestamp",
                                                                "Webhook-Signature"]
        media = operation["requestBody"]["content"]["application/json"]
        envelope = components[media["schema"]["$ref"].rsplit("/", 1)[1]]
        assert envelope["required"] == ["id", "type", "created_at", "tenant", "data"]
        assert envelope["properties"]["type"]["enum"] == [event_type]
        data = components[envelope["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
        assert data["properties"], event_type
        example = media["examples"]["example"]["value"]
        assert example["type"] == event_type
        _validate(example, media["schema"], components, direction="request")


# --- Real answers of every GET operation --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI app is called directly: requests must not close the connection holding the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema(host: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_dict(_document(URLCONFS[host]))
    schema.app = get_wsgi_application()
    return schema


def _get(schema: schemathesis.BaseSchema, path: str, *, host: str, token: str,
         path_parameters: dict[str, Any] | None = None) -> Any:
    """GET `path` (a documented path) for real and check the answer against the schema; returns the answer."""
    case = schema[path]["GET"].Case(path_parameters=path_parameters or {})
    response = case.call(base_url=f"http://{host}", headers={"Host": host, "Authorization": f"Token {token}"})
    case.validate_response(response, checks=CONFORMANCE)
    return response


def _check_every_get(schema: schemathesis.BaseSchema, *, host: str, token: str,
                     parameters: dict[str, dict[str, Any]], statuses: dict[str, int]) -> dict[str, int]:
    seen = {}
    for path, item in schema.raw_schema["paths"].items():
        if "get" not in item:
            continue
        assert path in parameters or "{" not in path, f"give {path} real path parameters in this test"
        response = _get(schema, path, host=host, token=token, path_parameters=parameters.get(path))
        seen[path] = response.status_code
    assert seen == {path: statuses.get(path, 200) for path in seen}
    return seen


def test_real_answers_of_every_platform_get_conform_to_the_schema(db) -> None:
    signed = sign(QuoteFactory())
    invoicing_services.payment_record(invoice=signed.invoice, amount="100.00")
    window = MaintenanceWindow.objects.create(
        start=timezone.now() + timedelta(days=10), end=timezone.now() + timedelta(days=10, hours=2),
        reason="Upgrade", message_fr="Mise à jour", message_en="Upgrade")
    claim = _claim_filed()
    token = token_issue(user=User.objects.get(email="operator@demo.test"))[1]
    schema = _schema("platform")
    tenant_id, invoice_id = signed.tenant.pk, signed.invoice.pk
    for path in PAGINATED["platform"]:  # the lists hold something: their items are checked too
        params = {"invoice_id": invoice_id} if "{invoice_id}" in path else {}
        if path != "/api/v1/custom-domains/":
            page = _get(schema, path, host="localhost", token=token, path_parameters=params).json()
            assert page["count"] >= 1, path
    _check_every_get(schema, host="localhost", token=token, parameters={
        "/api/v1/customers/{customer_id}/": {"customer_id": tenant_id},
        "/api/v1/invoices/{invoice_id}/": {"invoice_id": invoice_id},
        "/api/v1/invoices/{invoice_id}/payments/": {"invoice_id": invoice_id},
        "/api/v1/invoices/{invoice_id}/pdf/": {"invoice_id": invoice_id},
        "/api/v1/maintenance-windows/{window_id}/": {"window_id": window.pk},
        "/api/v1/quotes/{quote_id}/": {"quote_id": signed.subscription.quote_id},
        "/api/v1/tenants/{id}/": {"id": tenant_id},
        "/api/v1/tenants/{id}/destruction-record/": {"id": tenant_id},
        "/api/v1/tenants/{id}/support/{resource}/": {"id": tenant_id, "resource": "users"},
        "/api/v1/claims/{claim_id}/": {"claim_id": claim.pk},
    }, statuses={
        "/api/v1/invoices/{invoice_id}/pdf/": 302,
        "/api/v1/tenants/{id}/destruction-record/": 404,  # a live tenant has none: the documented error
        "/api/v1/tenants/{id}/support/{resource}/": 403,  # no grant from the customer (GCS art. 5)
    })


def _claim_filed() -> Claim:
    """A claim of demo's administrator (with an operator's answer): the claims lists hold something."""
    demo = Tenant.objects.get(slug="demo")
    with schema_context(demo.schema_name):
        admin = User.objects.get(email="admin@demo.test")
    claim = claims_services.claim_file(tenant=demo, actor=admin, category="other", subject="Slow videos", body="…",
                                       event_at=timezone.now() - timedelta(hours=1))
    claims_services.claim_reply(claim=claim, actor=User.objects.get(email="operator@demo.test"), body="Fixed.")
    return claim


def _integrations_rows() -> tuple[int, int]:
    """A webhook endpoint with a delivery and one attempt, and an API key (issue 17): their lists hold something."""
    from integrations.models import WebhookAttempt
    from integrations.services.api_keys import api_key_create
    from integrations.services.webhooks import webhook_endpoint_create, webhook_event_record

    admin = User.objects.get(email="admin@demo.test")
    endpoint = webhook_endpoint_create(url="https://hooks.example.com/mooc", events=["user.created"], actor=admin)
    delivery = webhook_event_record(event_type="user.created", data={"user": {"id": 1}}, endpoints=[endpoint])[0]
    WebhookAttempt.objects.create(delivery=delivery, number=1, attempted_at=timezone.now(), response_status=500,
                                  response_body="down", duration_ms=12)
    api_key, _ = api_key_create(name="Reporting", scopes=["read"], actor=admin)
    # An LRS and a statement that failed (issue 17 item 5): the xAPI answers hold something.
    from integrations.models import XapiStatement
    from integrations.services.xapi import lrs_config_save

    lrs_config_save(endpoint="https://lrs.example.edu/xapi/", key="mooc", secret="s3cr3t", is_active=True,
                    actor=admin)
    XapiStatement.objects.create(verb="registered", event_type="enrollment.created", status="failed",
                                 attempts_count=1, last_status_code=401, last_error="The LRS refused the key.",
                                 statement={"actor": {"objectType": "Agent", "account": {
                                     "homePage": "https://demo.example.com", "name": "1"}}})
    return endpoint.pk, api_key.pk


def _identity_provider_row() -> int:
    """An SSO identity provider (issue 17 item 1), as its service would have stored it (no IdP to reach here)."""
    from integrations.models import IdentityProvider

    return IdentityProvider.objects.create(
        name="Demo Login", protocol="oidc", discovery_url="https://login.example.com/.well-known/openid-configuration",
        client_id="mooc", client_secret="a-secret-from-the-idp", provisioning="jit", role_attribute="groups",
        role_mapping={"teachers": "instructor"}).pk


def test_real_answers_of_every_tenant_get_conform_to_the_schema(demo) -> None:
    claim = _claim_filed()
    with schema_context(demo.schema_name):
        token = token_issue(user=User.objects.get(email="admin@demo.test"))[1]
        endpoint_id, api_key_id = _integrations_rows()
        provider_id = _identity_provider_row()
        from courses.models import Question

        question_id = Question.objects.order_by("pk").values_list("pk", flat=True).first()
        from courses.models import Cohort, LearningPath

        cohort_id = Cohort.objects.order_by("pk").values_list("pk", flat=True).first()  # the demo cohort and path
        path_id = LearningPath.objects.order_by("pk").values_list("pk", flat=True).first()
    schema = _schema("tenant")
    host = "demo.localhost"
    course_id = _get(schema, "/api/v1/courses/", host=host, token=token).json()["results"][0]["id"]
    course = _get(schema, "/api/v1/courses/{id}/", host=host, token=token, path_parameters={"id": course_id}).json()
    lesson_id = course["modules"][0]["lessons"][0]["id"]
    with schema_context(demo.schema_name):  # a cartridge ready to download (issue 17 item 5)
        from integrations.models import CartridgeExport

        export_id = CartridgeExport.objects.create(course_id=course_id, status="ready", progress=100, size=10,
                                                   key=f"tenants/{demo.schema_name}/cartridges/x.imscc").pk
    enrollments = _get(schema, "/api/v1/enrollments/", host=host, token=token).json()["results"]
    enrollment_id = enrollments[0]["id"] if enrollments else 2**31
    _check_every_get(schema, host=host, token=token, parameters={
        "/api/v1/billing/invoices/{invoice_id}/pdf/": {"invoice_id": 2**31},
        "/api/v1/certificates/{id}/download/": {"id": 2**31},
        "/api/v1/certificates/verify/{code}/": {"code": "NO-SUCH-CODE"},
        "/api/v1/courses/{id}/": {"id": course_id},
        "/api/v1/courses/{id}/analytics/": {"id": course_id},
        "/api/v1/courses/{id}/posts/": {"id": course_id},
        "/api/v1/enrollments/{id}/": {"id": enrollment_id},
        "/api/v1/lessons/{id}/": {"id": lesson_id},
        "/api/v1/lessons/{id}/media/": {"id": lesson_id},
        "/api/v1/lessons/{id}/scorm/": {"id": lesson_id},
        "/api/v1/claims/{claim_id}/": {"claim_id": claim.pk},
        "/api/v1/webhooks/{endpoint_id}/": {"endpoint_id": endpoint_id},
        "/api/v1/webhooks/{endpoint_id}/deliveries/": {"endpoint_id": endpoint_id},
        "/api/v1/api-keys/{api_key_id}/": {"api_key_id": api_key_id},
        "/api/v1/sso/providers/{provider_id}/": {"provider_id": provider_id},
        "/api/v1/questions/{id}/": {"id": question_id},
        "/api/v1/courses/{course_id}/cartridge-exports/": {"course_id": course_id},
        "/api/v1/courses/{course_id}/cartridge-exports/{export_id}/": {"course_id": course_id,
                                                                       "export_id": export_id},
        "/api/v1/courses/{course_id}/cartridge-exports/{export_id}/download/": {"course_id": course_id,
                                                                                "export_id": export_id},
        "/api/v1/quiz-attempts/{id}/": {"id": 2**31},
        "/api/v1/cohorts/{id}/": {"id": cohort_id},
        "/api/v1/cohorts/{id}/members/": {"id": cohort_id},
        "/api/v1/cohorts/{id}/courses/": {"id": cohort_id},
        "/api/v1/cohorts/{id}/paths/": {"id": cohort_id},
        "/api/v1/learning-paths/{id}/": {"id": path_id},
        "/api/v1/learning-paths/{id}/courses/": {"id": path_id},
    }, statuses={
        # The demo tenant has no subscription, invoice nor certificate of its own: the documented error answers.
        "/api/v1/billing/subscription/": 404,
        "/api/v1/billing/identity/": 404,
        "/api/v1/billing/invoices/{invoice_id}/pdf/": 404,
        "/api/v1/certificates/{id}/download/": 404,
        "/api/v1/certificates/verify/{code}/": 404,
        "/api/v1/enrollments/{id}/": 200 if enrollments else 404,
        "/api/v1/lessons/{id}/media/": 404,
        "/api/v1/lessons/{id}/scorm/": 404,  # a text lesson has no SCORM package
        "/api/v1/quiz-attempts/{id}/": 404,  # the administrator took no quiz
        "/api/v1/courses/{course_id}/cartridge-exports/{export_id}/download/": 302,
    })
