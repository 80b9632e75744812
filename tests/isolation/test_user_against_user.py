"""Inside one tenant, user against user (SPEC §1 personas, §5): learner A, learner B, an instructor and an
administrator over every route of the tenant URLconf, API and pages alike.

Routes are read from the URLconf like the cross-tenant suite (tests/isolation/test_cross_tenant.py), and
every route must have a row in MATRIX: a route added without one fails
`test_every_tenant_route_has_a_row_in_the_matrix`. A row says which of the world's objects fills the
route's parameters (learner A's enrolment, attempt, certificate, post, account…) and who may read it
with GET; everyone else must be refused (401, 403, 404, 405, or a redirect to the login page).

Whatever a row says, learner B never sees learner A's e-mail address or certificate code, on any route and
with any method: learner A was invited by e-mail and has no full name yet (SPEC R2), so her e-mail is
the only thing that names her. Learner B's writes (POST, PUT, PATCH, DELETE) on A's objects are refused
unless the row lets learners write there (reporting a post in a shared forum, say)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from courses import selectors, services
from courses.models import Lesson, MediaUpload
from courses.services import cohorts as cohort_services
from courses.services import paths as path_services
from mooc_platform.accounts.models import User
from mooc_platform.accounts.tokens import token_issue
from tests.courses.helpers import answers_for, quiz_of
from tests.courses.scorm.helpers import scorm_lesson_ready
from tests.factories import CourseFactory, EnrollmentFactory, UserFactory
from tests.helpers import api_client, host_of, unique
from tests.routes import PARAM, TENANT_URLCONF, routes

A, B, INSTRUCTOR, ADMIN = "learner_a", "learner_b", "instructor", "administrator"
PERSONAS = (A, B, INSTRUCTOR, ADMIN)
EVERYONE = frozenset(PERSONAS)
STAFF = frozenset({INSTRUCTOR, ADMIN})
NOBODY: frozenset[str] = frozenset()
DENIED = {401, 403, 404, 405}


TENANT_ROUTES = routes(TENANT_URLCONF)


@dataclass(frozen=True)
class Row:
    """`fill`: the world's objects whose ids (or slug, code, token) fill the route's parameters, in order.
    `get`: who reads it with GET, answered `status` (or `statuses[persona]`); everyone else is refused.
    `learners_write`: learner B's writes may succeed there (a shared object, not one of A's).
    `shows_a`: why learner B may see A's e-mail there (nowhere, so far, but the public certificate check)."""

    fill: tuple[str, ...] = ()
    get: frozenset[str] = EVERYONE
    status: int = 200
    statuses: dict[str, int] = field(default_factory=dict)
    query: str = ""
    learners_write: bool = False
    shows_a: str = ""


SELF = frozenset({A})
OWNER_AND_STAFF = frozenset({A, INSTRUCTOR, ADMIN})
ADMIN_ONLY = frozenset({ADMIN})
POST_ONLY = NOBODY  # GET answers 405 to everyone: the row is there for the writes

MATRIX: dict[str, Row] = {
    # Public or per-visitor pages: no object of anyone's.
    "/": Row(),
    "/account-status/": Row(status=302),
    "/accounts/invitation/<str:token>/": Row(fill=("token",), status=302),  # the old address redirects
    "/accounts/password-reset/": Row(),
    "/accounts/password-reset/sent/": Row(),
    "/accounts/reset/<uidb64>/<token>/": Row(fill=("uidb64", "token")),
    "/accounts/reset/done/": Row(),
    "/api/docs/": Row(),
    "/api/schema/": Row(),
    "/api/v1/auth/token/": Row(get=POST_ONLY),
    "/healthz": Row(),
    "/jsi18n/": Row(),  # the scripts' strings: the same catalogue for everyone
    "/branding.css": Row(),
    "/manifest.webmanifest": Row(),  # the organisation's web app: its name, colour and icons, public
    "/icons/<int:size>.png": Row(fill=("icon_size",)),
    "/accessibility/": Row(),
    "/maintenance/banner/dismiss/": Row(get=POST_ONLY),  # the visitor's own session only
    "/invitation/<str:token>/": Row(fill=("token",), status=404),
    "/not-me/<str:token>/": Row(fill=("token",), status=404),  # a forged link: refused to everyone
    "/invitation/new/": Row(),
    "/invitation/new/sent/": Row(),
    "/login/": Row(status=302),
    "/logout/": Row(get=POST_ONLY),
    # The signed-in user's own data: each persona reads their own, never A's (the secrets check).
    "/api/v1/me/": Row(),
    "/api/v1/me/delete/": Row(get=POST_ONLY),
    "/api/v1/me/export/": Row(),
    "/api/v1/me/tokens/": Row(),
    "/api/v1/me/sign-out-everywhere/": Row(get=POST_ONLY),
    "/sign-out-everywhere/": Row(get=POST_ONLY),
    "/my/certificates/": Row(),
    "/my/delete/": Row(),
    "/my/export.json": Row(),
    "/my/notifications/": Row(),
    "/my/notifications/<id:pk>/open/": Row(fill=("notification_a",), get=SELF, status=302),
    "/api/v1/notifications/": Row(),
    "/api/v1/notifications/read/": Row(get=POST_ONLY),
    "/api/v1/notifications/settings/": Row(),
    # The unsubscribe link of A's e-mails: signed, it is the proof (one-click, signed out, RFC 8058), so whoever
    # holds it asks and stops that kind of A's e-mails; the page shows neither her e-mail nor anything of hers.
    "/notifications/unsubscribe/<str:token>/": Row(fill=("unsubscribe_a",), learners_write=True),
    # A's calendar feed: its address carries A's secret key (calendar apps cannot sign in), so whoever holds
    # it reads A's deadlines; no e-mail or certificate code is in it.
    "/my/calendar/<id:user_id>/<slug:key>.ics": Row(fill=("user_a", "calendar_key_a")),
    "/my/profile/": Row(),
    "/my/progress/": Row(),
    "/api/v1/enrollments/": Row(),
    "/api/v1/certificates/": Row(query="?all=1"),
    # Learner A's objects.
    "/api/v1/enrollments/<id:pk>/": Row(fill=("enrollment_a",), get=SELF),
    "/api/v1/quiz-attempts/<id:pk>/submit/": Row(fill=("attempt_a",), get=POST_ONLY),
    "/api/v1/quiz-attempts/<id:pk>/": Row(fill=("attempt_a",), get=SELF),  # her review: hers only
    "/api/v1/certificates/<id:pk>/download/": Row(fill=("certificate_a",), get=OWNER_AND_STAFF),
    "/my/certificates/<id:pk>/download/": Row(fill=("certificate_a",), get=SELF, status=302),
    "/api/v1/certificates/verify/<str:code>/": Row(
        fill=("certificate_code_a",), shows_a="the public check of a certificate by its code, which only its "
                                                "holder hands out; her name there is her e-mail until she sets one"),
    "/certificates/verify/<str:code>/": Row(
        fill=("certificate_code_a",), shows_a="the page of the public certificate check, as the API above",
        learners_write=True),  # a read-only page that answers any method the same
    "/certificates/verify/<str:code>/credential.jsonld": Row(
        fill=("certificate_code_a",), shows_a="the certificate's public Open Badge, as the check above (the "
                                                "holder's e-mail only salted and hashed)",
        learners_write=True),  # a read-only document that answers any method the same
    "/api/v1/posts/<id:pk>/report/": Row(fill=("post_a",), get=POST_ONLY, learners_write=True),
    "/posts/<id:pk>/report/": Row(fill=("post_a",), get=POST_ONLY, learners_write=True),
    "/api/v1/posts/<id:pk>/hide/": Row(fill=("post_a",), get=POST_ONLY),
    "/api/v1/posts/<id:pk>/restore/": Row(fill=("post_a",), get=POST_ONLY),
    "/api/v1/uploads/<id:pk>/confirm/": Row(fill=("upload_a",), get=POST_ONLY),
    "/api/v1/users/<id:pk>/deactivate/": Row(fill=("user_a",), get=POST_ONLY),
    "/api/v1/users/<id:pk>/invitation/": Row(fill=("user_a",), get=POST_ONLY),
    "/api/v1/users/<id:pk>/reactivate/": Row(fill=("user_a",), get=POST_ONLY),
    "/api/v1/users/<id:pk>/sign-out-everywhere/": Row(fill=("user_a",), get=POST_ONLY),
    "/api/v1/me/tokens/<int:pk>/": Row(fill=("token_a",), get=POST_ONLY),
    "/api/v1/users/<id:pk>/role/": Row(fill=("user_a",), get=POST_ONLY),
    "/api/v1/users/<id:pk>/erase/": Row(fill=("user_a",), get=POST_ONLY),
    # The course A and B follow, its forum and lessons: shared by design.
    "/api/v1/courses/": Row(),
    "/api/v1/courses/<id:pk>/": Row(fill=("course",)),
    "/api/v1/courses/<id:pk>/posts/": Row(fill=("course",)),
    "/api/v1/courses/<id:pk>/analytics/": Row(fill=("course",), get=STAFF),
    "/api/v1/courses/<id:pk>/invitations/": Row(fill=("course",), get=POST_ONLY),
    "/api/v1/courses/<id:pk>/modules/": Row(fill=("course",), get=POST_ONLY),
    "/api/v1/courses/<id:pk>/publish/": Row(fill=("course",), get=POST_ONLY),
    "/api/v1/courses/<id:pk>/unpublish/": Row(fill=("course",), get=POST_ONLY),
    "/api/v1/modules/<id:pk>/lessons/": Row(fill=("module",), get=POST_ONLY),
    "/api/v1/modules/<id:pk>/move/": Row(fill=("module",), get=POST_ONLY),
    # Authoring (issue 14 item 5): instructors' writes; GET answers 405 (403 to learners).
    "/api/v1/modules/<id:pk>/": Row(fill=("module",), get=POST_ONLY),
    "/api/v1/modules/<id:pk>/restore/": Row(fill=("module",), get=POST_ONLY),
    "/api/v1/modules/<id:pk>/lesson-order/": Row(fill=("module",), get=POST_ONLY),
    "/api/v1/courses/<id:pk>/module-order/": Row(fill=("course",), get=POST_ONLY),
    "/api/v1/courses/<id:pk>/duplicate/": Row(fill=("course",), get=POST_ONLY),
    "/api/v1/lessons/preview/": Row(get=POST_ONLY),
    "/api/v1/lessons/<id:pk>/restore/": Row(fill=("lesson",), get=POST_ONLY),
    "/api/v1/lessons/<id:pk>/": Row(fill=("lesson",)),
    "/api/v1/lessons/<id:pk>/attempts/": Row(fill=("quiz",), get=POST_ONLY),
    "/api/v1/lessons/<id:pk>/complete/": Row(fill=("lesson",), get=POST_ONLY),
    "/api/v1/lessons/<id:pk>/progress/": Row(fill=("lesson",), get=POST_ONLY),
    "/api/v1/lessons/<id:pk>/media/": Row(fill=("lesson",), get=NOBODY),  # a text lesson has no media: 404
    "/api/v1/lessons/<id:pk>/move/": Row(fill=("lesson",), get=POST_ONLY),
    "/api/v1/lessons/<id:pk>/questions/": Row(fill=("quiz",), get=POST_ONLY),
    "/api/v1/lessons/<id:pk>/scorm/": Row(fill=("scorm_lesson",), get=STAFF),  # the package's state: instructors
    "/api/v1/questions/<id:pk>/": Row(fill=("question",), get=STAFF),  # with its answers: instructors only
    "/api/v1/questions/<id:pk>/move/": Row(fill=("question",), get=POST_ONLY),
    "/api/v1/categories/": Row(),
    "/api/v1/uploads/": Row(get=POST_ONLY),
    "/courses/": Row(),
    "/courses/<slug:slug>/": Row(fill=("course_slug",)),
    "/courses/<slug:slug>/about/": Row(fill=("course_slug",)),  # a published MOOC's public page
    "/courses/<slug:slug>/discussion/": Row(fill=("course_slug",)),
    # An image of the course's texts (a redirect to storage); no such image here: 404 to everyone (the images are
    # tested in tests/courses/authoring/).
    "/courses/<slug:slug>/images/<id:pk>/": Row(fill=("course_slug", "missing"), get=NOBODY),
    "/courses/<slug:slug>/enrol/": Row(fill=("course_slug",), get=POST_ONLY),
    "/courses/<slug:slug>/lessons/<id:pk>/": Row(fill=("course_slug", "lesson")),
    "/courses/<slug:slug>/lessons/<id:pk>/complete/": Row(fill=("course_slug", "lesson"), get=POST_ONLY),
    # A text lesson has no captions: 404 to everyone (the captions of a video are tested in tests/courses/player/).
    "/courses/<slug:slug>/lessons/<id:pk>/captions/<slug:language>.vtt": Row(fill=("course_slug", "lesson", "en"),
                                                                             get=NOBODY),
    # A SCORM lesson's package files: for the learners enrolled (A and B) and the staff. Its commit URL is A's
    # attempt's, with A's token: POST only, and B's writes there are refused.
    "/courses/<slug:slug>/lessons/<id:pk>/scorm/<id:package_id>/<path:path>": Row(
        fill=("course_slug", "scorm_lesson", "scorm_package", "scorm_file")),
    "/courses/<slug:slug>/lessons/<id:pk>/scorm-commit/<id:attempt_id>/<str:token>/": Row(
        fill=("course_slug", "scorm_lesson", "scorm_attempt_a", "scorm_token_a"), get=POST_ONLY),
    "/api/v1/branding/": Row(),
    "/api/v1/maintenance-windows/": Row(),
    # Staff pages: learners' progress and scores are for instructors and administrators (SPEC §1).
    "/api/v1/moderation/reports/": Row(get=STAFF),
    "/teach/": Row(get=STAFF),
    "/teach/courses/<id:pk>/": Row(fill=("course",), get=STAFF),
    "/teach/lessons/<id:pk>/": Row(fill=("lesson",), get=STAFF),
    # Authoring (issue 14 item 5): the confirmations of deletions, duplicating, "preview as learner".
    "/teach/lessons/<id:pk>/delete/": Row(fill=("lesson",), get=STAFF),
    "/teach/modules/<id:pk>/delete/": Row(fill=("module",), get=STAFF),
    "/teach/courses/<id:pk>/duplicate/": Row(fill=("course",), get=STAFF),
    "/teach/preview/<slug:slug>/": Row(fill=("course_slug",), get=STAFF),
    "/teach/preview/<slug:slug>/lessons/<id:pk>/": Row(fill=("course_slug", "lesson"), get=STAFF),
    "/teach/moderation/": Row(get=STAFF),
    "/manage/analytics/": Row(get=STAFF),
    "/manage/analytics/<id:pk>/": Row(fill=("course",), get=STAFF),
    "/manage/analytics/<id:pk>.csv": Row(fill=("course",), get=STAFF),
    # The organisation's administration: administrators only.
    "/api/v1/users/": Row(get=ADMIN_ONLY),
    "/api/v1/users/import/": Row(get=POST_ONLY),
    "/api/v1/audit-events/": Row(get=ADMIN_ONLY),
    "/api/v1/tenant/": Row(get=ADMIN_ONLY),
    "/api/v1/exports/": Row(get=ADMIN_ONLY),
    "/api/v1/support-access-grants/": Row(get=ADMIN_ONLY),
    "/api/v1/support-access-grants/<int:pk>/revoke/": Row(fill=("missing",), get=POST_ONLY),
    "/api/v1/custom-domains/": Row(get=ADMIN_ONLY),
    "/api/v1/custom-domains/<int:pk>/verify/": Row(fill=("missing",), get=POST_ONLY),
    "/manage/": Row(get=ADMIN_ONLY),
    "/manage/users/": Row(get=ADMIN_ONLY),
    "/manage/users/import/": Row(get=ADMIN_ONLY),
    "/manage/users/import/template.csv": Row(get=ADMIN_ONLY),
    "/manage/users/import/report.csv": Row(get=ADMIN_ONLY, status=404),  # no import applied in this session
    # Deactivation (issue 13): the confirmation page; the deactivation itself is its POST.
    "/manage/users/<id:pk>/deactivate/": Row(fill=("user_a",), get=ADMIN_ONLY),
    # Right to erasure (SPEC R29): the confirmation page; the erasure itself is a POST with the address typed again.
    "/manage/users/<id:pk>/erase/": Row(fill=("user_a",), get=ADMIN_ONLY),
    # Cancelling an invitation (issue 13): the confirmation page; A has accepted hers, so it sends back to the list.
    "/manage/users/<id:pk>/cancel-invitation/": Row(fill=("user_a",), get=ADMIN_ONLY, status=302),
    "/manage/branding/": Row(get=ADMIN_ONLY),
    "/exports/": Row(get=ADMIN_ONLY),
    "/exports/status/": Row(get=ADMIN_ONLY),
    # Support access, custom domains, audit log (issue 13): administrators only; another's object is not found.
    "/manage/support-access/": Row(get=ADMIN_ONLY),
    "/manage/support-access/<int:pk>/revoke/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/manage/domains/": Row(get=ADMIN_ONLY),
    "/manage/domains/<int:pk>/verify/": Row(fill=("missing",), get=POST_ONLY),
    "/manage/audit-log/": Row(get=ADMIN_ONLY),
    "/manage/audit-log.csv": Row(get=ADMIN_ONLY),
    "/timeline/": Row(get=ADMIN_ONLY),
    # Billing: the demo tenant has no subscription or invoice in the test database, so its administrators
    # get 404 where one is needed; what this suite checks is that nobody else gets in.
    "/billing/": Row(get=ADMIN_ONLY),
    "/billing/cancel/": Row(get=ADMIN_ONLY, status=404),
    "/billing/identity/": Row(get=ADMIN_ONLY, status=404),  # the world's tenant has no subscription
    "/billing/resubscribe/": Row(get=ADMIN_ONLY, status=302),
    "/billing/invoices/<int:invoice_id>/pdf/": Row(fill=("invoice",), get=ADMIN_ONLY, status=404),
    "/billing/invoices/<int:invoice_id>/pay/": Row(fill=("invoice",), get=ADMIN_ONLY, status=404),
    # Any id: the world's tenant has no signed order (tests/invoicing/terms reads real ones, and another tenant's).
    "/billing/orders/<int:quote_id>/pdf/": Row(fill=("invoice",), get=ADMIN_ONLY, status=404),
    "/billing/orders/<int:quote_id>/terms/pdf/": Row(fill=("invoice",), get=ADMIN_ONLY, status=404),
    "/api/v1/billing/invoices/": Row(get=ADMIN_ONLY),
    "/api/v1/billing/invoices/<int:invoice_id>/pdf/": Row(fill=("invoice",), get=ADMIN_ONLY, status=404),
    "/api/v1/billing/subscription/": Row(get=ADMIN_ONLY, status=404),
    "/api/v1/billing/identity/": Row(get=ADMIN_ONLY, status=404),
    "/api/v1/billing/subscription/cancel/": Row(get=POST_ONLY),
    "/api/v1/billing/subscription/resubscribe/": Row(get=POST_ONLY),
    # Claims (SPEC R25): the organisation's administrators only.
    "/claims/": Row(get=ADMIN_ONLY),
    # Help (SPEC R30) and the organisation's privacy notice (R29): everyone reads them; administrators edit it.
    "/help/": Row(),
    "/privacy/": Row(),
    "/privacy/edit/": Row(get=ADMIN_ONLY),
    "/claims/new/": Row(get=ADMIN_ONLY),
    "/claims/<int:claim_id>/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/api/v1/claims/": Row(get=ADMIN_ONLY),
    "/api/v1/claims/<int:claim_id>/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/api/v1/claims/<int:claim_id>/messages/": Row(fill=("missing",), get=POST_ONLY),
    # Integrations (issue 17): webhooks and API keys are the organisation's administrators' only.
    "/integrations/webhooks/": Row(get=ADMIN_ONLY),
    "/integrations/webhooks/<id:endpoint_id>/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/integrations/webhooks/<id:endpoint_id>/delete/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/integrations/webhooks/<id:endpoint_id>/ping/": Row(fill=("missing",), get=POST_ONLY),
    "/integrations/webhooks/<id:endpoint_id>/rotate-secret/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/integrations/webhooks/<id:endpoint_id>/deliveries/<id:delivery_id>/replay/": Row(fill=("missing", "missing"),
                                                                                       get=POST_ONLY),
    "/integrations/api-keys/": Row(get=ADMIN_ONLY),
    "/integrations/api-keys/<id:api_key_id>/revoke/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/api/v1/webhooks/": Row(get=ADMIN_ONLY),
    "/api/v1/webhooks/<id:endpoint_id>/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/api/v1/webhooks/<id:endpoint_id>/ping/": Row(fill=("missing",), get=POST_ONLY),
    "/api/v1/webhooks/<id:endpoint_id>/rotate-secret/": Row(fill=("missing",), get=POST_ONLY),
    "/api/v1/webhooks/<id:endpoint_id>/deliveries/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/api/v1/webhooks/<id:endpoint_id>/deliveries/<id:delivery_id>/replay/": Row(fill=("missing", "missing"),
                                                                                 get=POST_ONLY),
    "/api/v1/api-keys/": Row(get=ADMIN_ONLY),
    "/api/v1/api-keys/<id:api_key_id>/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/api/v1/api-keys/<id:api_key_id>/revoke/": Row(fill=("missing",), get=POST_ONLY),
    # Single sign-on (issue 17 item 1): configured by administrators; its sign-in routes are anyone's (no object).
    "/manage/sso/": Row(get=ADMIN_ONLY),
    "/manage/sso/new/<str:protocol>/": Row(fill=("token",), get=ADMIN_ONLY, status=404),
    "/manage/sso/<id:provider_id>/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/manage/sso/<id:provider_id>/delete/": Row(fill=("missing",), get=POST_ONLY),
    "/sso/<id:provider_id>/login/": Row(fill=("missing",), status=404),
    "/sso/<id:provider_id>/oidc/callback/": Row(fill=("missing",), status=404),
    "/sso/<id:provider_id>/saml/acs/": Row(fill=("missing",), get=POST_ONLY),
    "/sso/<id:provider_id>/saml/metadata/": Row(fill=("missing",), status=404),
    "/api/v1/sso/providers/": Row(get=ADMIN_ONLY),
    "/api/v1/sso/providers/<id:provider_id>/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/api/v1/sso/policy/": Row(get=ADMIN_ONLY),
    # Standard data out (issue 17 item 5): a course's cartridges for its staff, the LRS for administrators.
    "/teach/courses/<id:course_id>/cartridge/": Row(fill=("course",), get=STAFF),
    "/teach/courses/<id:course_id>/cartridge/<id:export_id>/download/": Row(fill=("course", "missing"), get=STAFF,
                                                                           status=404),
    "/api/v1/courses/<id:course_id>/cartridge-exports/": Row(fill=("course",), get=STAFF),
    "/api/v1/courses/<id:course_id>/cartridge-exports/<id:export_id>/": Row(fill=("course", "missing"), get=STAFF,
                                                                           status=404),
    "/api/v1/courses/<id:course_id>/cartridge-exports/<id:export_id>/download/": Row(
        fill=("course", "missing"), get=STAFF, status=404),
    "/manage/xapi/": Row(get=ADMIN_ONLY),
    "/manage/xapi/retry/": Row(get=POST_ONLY),
    "/manage/xapi/delete/": Row(get=POST_ONLY),
    "/api/v1/xapi/lrs/": Row(get=ADMIN_ONLY, status=404),  # no LRS in this world: the documented 404
    "/api/v1/xapi/statements/": Row(get=ADMIN_ONLY),
    "/api/v1/xapi/statements/retry/": Row(get=POST_ONLY),
    # LTI tool (issue 17 item 2): the public keyset for everyone; a login initiation without its parameters and a
    # forged one-time link answer the error page; the platform registrations are the administrators' only.
    "/.well-known/jwks.json": Row(),
    "/lti/jwks/": Row(),
    "/lti/login/": Row(status=400),
    "/lti/launch/": Row(get=POST_ONLY),
    "/lti/continue/<str:token>/": Row(fill=("token",), status=400),
    "/lti/deep-link/": Row(get=POST_ONLY),
    "/manage/lti/": Row(get=ADMIN_ONLY),
    "/manage/lti/<id:platform_id>/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/manage/lti/<id:platform_id>/delete/": Row(fill=("missing",), get=ADMIN_ONLY, status=404),
    "/manage/lti/<id:platform_id>/links/<id:link_id>/roster/": Row(fill=("missing", "missing"), get=ADMIN_ONLY,
                                                                   status=404),
    # Cohorts (issue 14 item 10): A's cohort (she is its member) is managed by the staff only; learners neither see
    # nor touch it. Learning paths: the published path is everyone's to read (each sees their own progress), its
    # management the staff's.
    "/api/v1/cohorts/": Row(get=STAFF),
    "/api/v1/cohorts/<id:pk>/": Row(fill=("cohort_a",), get=STAFF),
    "/api/v1/cohorts/<id:pk>/members/": Row(fill=("cohort_a",), get=STAFF),
    "/api/v1/cohorts/<id:pk>/members/<id:user_id>/": Row(fill=("cohort_a", "user_a"), get=POST_ONLY),
    "/api/v1/cohorts/<id:pk>/import/": Row(fill=("cohort_a",), get=POST_ONLY),
    "/api/v1/cohorts/<id:pk>/courses/": Row(fill=("cohort_a",), get=STAFF),
    "/api/v1/cohorts/<id:pk>/paths/": Row(fill=("cohort_a",), get=STAFF),
    "/teach/cohorts/": Row(get=STAFF),
    "/teach/cohorts/<id:cohort_id>/": Row(fill=("cohort_a",), get=STAFF),
    "/teach/cohorts/<id:cohort_id>/delete/": Row(fill=("cohort_a",), get=STAFF),
    "/teach/cohorts/<id:cohort_id>/import/": Row(fill=("cohort_a",), get=STAFF),
    "/teach/cohorts/<id:cohort_id>/import/report.csv": Row(fill=("cohort_a",), get=STAFF, status=404),  # no import
    "/teach/courses/<id:course_id>/people/": Row(fill=("course",), get=STAFF),
    "/api/v1/learning-paths/": Row(),
    "/api/v1/learning-paths/<id:pk>/": Row(fill=("path",)),
    "/api/v1/learning-paths/<id:pk>/courses/": Row(fill=("path",), get=STAFF),
    "/api/v1/learning-paths/<id:pk>/publish/": Row(fill=("path",), get=POST_ONLY),
    "/api/v1/learning-paths/<id:pk>/enrol/": Row(fill=("path",), get=POST_ONLY),
    "/teach/paths/": Row(get=STAFF),
    "/teach/paths/<id:path_id>/": Row(fill=("path",), get=STAFF),
    "/teach/paths/<id:path_id>/delete/": Row(fill=("path",), get=STAFF),
    "/paths/": Row(),
    "/paths/<slug:path_slug>/": Row(fill=("path_slug",)),
}


@dataclass
class World:
    users: dict[str, User]
    objects: dict[str, str]
    a_secrets: tuple[str, ...]


@pytest.fixture
def world(demo: Any) -> Iterator[World]:
    """In demo's schema: a course with a quiz by the instructor, A and B enrolled, A passed it (a
    certificate), A posted in its forum, A has an upload of her own."""
    from invoicing.models import Invoice

    first_invoice = Invoice.objects.filter(tenant_id=demo.pk).order_by("pk").first()
    invoice = str(first_invoice.pk) if first_invoice else "999999"
    with schema_context(demo.schema_name):
        instructor = UserFactory(role=User.Role.INSTRUCTOR, full_name="Ines Instructor")
        admin = UserFactory(role=User.Role.ADMINISTRATOR, full_name="Ada Administrator")
        learner_a = UserFactory(email=f"{unique('alice')}@example.org", full_name="")
        learner_b = UserFactory(full_name="Bob Learner")
        course = CourseFactory(author=instructor)
        enrollment_a = EnrollmentFactory(course=course, user=learner_a)
        EnrollmentFactory(course=course, user=learner_b)
        reading = Lesson.objects.get(module__course=course, kind=Lesson.Kind.TEXT)
        quiz = quiz_of(course)
        services.lesson_complete(lesson=reading, user=learner_a)
        attempt_a = services.quiz_attempt_start(lesson=quiz, user=learner_a)
        services.quiz_attempt_submit(attempt=attempt_a, user=learner_a, answers=answers_for(quiz, right=2))
        certificate_a = learner_a.certificates.get()
        post_a = services.post_create(course=course, author=learner_a, body="A question from learner A")
        upload_a = MediaUpload.objects.create(key=f"matrix/{unique()}", purpose=MediaUpload.Purpose.FILE,
                                              filename="notes.pdf", content_type="application/pdf",
                                              declared_size=10, created_by=learner_a)
        # A SCORM lesson (added once A's certificate is earned) and A's attempt at it.
        scorm_lesson, scorm_package = scorm_lesson_ready(course=course, actor=instructor)
        scorm_attempt_a = services.scorm_attempt_current(lesson=scorm_lesson, user=learner_a)
        # A signs in to pages only once she gave her name (issue 11 item 6); her e-mail stays the secret to
        # look for. A nameless author's signature is checked in tests/courses/discussions/.
        User.objects.filter(pk=learner_a.pk).update(full_name="Alice Learner")
        # A's cohort, enrolled in the course; a published path of the course, A enrolled in it.
        cohort_a = cohort_services.cohort_create(name=unique("cohort"), actor=instructor)
        cohort_services.cohort_members_add(cohort=cohort_a, users=[learner_a], actor=instructor)
        cohort_services.cohort_course_enrol(cohort=cohort_a, course=course, actor=instructor)
        path = path_services.path_create(title=unique("path"), actor=instructor)
        path_services.path_course_add(path=path, course=course, actor=instructor)
        path_services.path_publish(path=path, actor=instructor)
        path_services.path_enrol(path=path, user=learner_a)
        yield World(
            users={A: learner_a, B: learner_b, INSTRUCTOR: instructor, ADMIN: admin},
            objects={"course": str(course.pk), "course_slug": course.slug, "module": str(reading.module_id),
                     "lesson": str(reading.pk), "quiz": str(quiz.pk),
                     "question": str(quiz.questions.order_by("pk").first().pk), "enrollment_a": str(enrollment_a.pk),
                     "attempt_a": str(attempt_a.pk), "certificate_a": str(certificate_a.pk),
                     "certificate_code_a": certificate_a.code, "post_a": str(post_a.pk),
                     "user_a": str(learner_a.pk), "upload_a": str(upload_a.pk),
                     "calendar_key_a": selectors.calendar_key(user=learner_a),
                     "notification_a": str(learner_a.notifications.first().pk), "en": "en",
                     "unsubscribe_a": services.notifications.unsubscribe_token(user=learner_a, kind="reply"),
                     "token_a": str(token_issue(user=learner_a)[0].pk), "missing": "999999",
                     "token": "not-a-token", "uidb64": "MQ", "invoice": invoice, "icon_size": "192",
                     "scorm_lesson": str(scorm_lesson.pk), "scorm_package": str(scorm_package.pk),
                     "scorm_file": scorm_package.launch_path, "scorm_attempt_a": str(scorm_attempt_a.pk),
                     "scorm_token_a": services.scorm_commit_token(attempt=scorm_attempt_a),
                     "cohort_a": str(cohort_a.pk), "path": str(path.pk), "path_slug": path.slug},
            a_secrets=(learner_a.email, certificate_a.code),
        )


def _path(route: str, row: Row, world: World) -> str:
    values = iter(row.fill)
    return PARAM.sub(lambda m: world.objects[next(values)], route)


def _client(api: bool, user: User, host: str) -> Any:
    if api:
        return api_client(host, token_issue(user=user)[1])
    client = Client(HTTP_HOST=host)
    client.force_login(user)
    return client


def test_every_tenant_route_has_a_row_in_the_matrix() -> None:
    """A new route fails here until its row says who may read it, and with which object."""
    assert "/api/v1/quiz-attempts/<id:pk>/submit/" in TENANT_ROUTES
    assert sorted(set(TENANT_ROUTES) - set(MATRIX)) == [], "add a row to MATRIX for each of these routes"
    assert sorted(set(MATRIX) - set(TENANT_ROUTES)) == [], "these rows name routes that no longer exist"
    for route, row in MATRIX.items():
        assert len(row.fill) == len(PARAM.findall(route)), (route, "one fill per parameter")


@pytest.mark.slow  # ~500 requests
def test_learners_never_read_each_others_data_and_each_persona_gets_what_the_matrix_says(
        world: World, demo: Any) -> None:
    """One world; every route × every persona with GET, and learner B's writes on every route filled with
    one of A's objects. Every breach is listed at once."""
    host = host_of(demo)
    breaches: list[str] = []
    with schema_context(demo.schema_name):
        clients = {(persona, api): _client(api, world.users[persona], host)
                   for persona in PERSONAS for api in (True, False)}
    me = clients[(A, True)].get("/api/v1/me/")
    assert world.a_secrets[0] in me.content.decode(), "learner A's e-mail is the marker: her own /me shows it"
    for route in TENANT_ROUTES:
        row = MATRIX[route]
        path = _path(route, row, world)
        api = route.startswith("/api/")
        for persona in PERSONAS:
            response = clients[(persona, api)].get(path + row.query)
            expected = row.statuses.get(persona, row.status) if persona in row.get else None
            if expected is not None and response.status_code != expected:
                breaches.append(f"GET {path} as {persona}: {response.status_code}, the matrix says {expected}")
            if expected is None and response.status_code not in DENIED:
                breaches.append(f"GET {path} as {persona}: {response.status_code}, the matrix says refused")
            if persona == B and not row.shows_a:
                breaches += _secrets_in(response, world, f"GET {path} as {B}")
        if not any(name.endswith("_a") for name in row.fill):
            continue
        for method in ("post", "put", "patch", "delete"):
            response = getattr(clients[(B, api)], method)(path, {}, content_type="application/json")
            if not row.learners_write and response.status_code not in DENIED:
                breaches.append(f"{method.upper()} {path} as {B} on A's object: {response.status_code}")
            if not row.shows_a:
                breaches += _secrets_in(response, world, f"{method.upper()} {path} as {B}")
    assert breaches == [], "\n".join(breaches)


def _secrets_in(response: Any, world: World, what: str) -> list[str]:
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    text = body.decode(errors="replace") + str(response.get("Location", ""))
    return [f"{what}: shows learner A's {secret!r}" for secret in world.a_secrets if secret in text]
