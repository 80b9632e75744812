"""Issue 13 items 6 and 7, and its first "done when": every page of a tenant, in real Chromium at 1366 px and
375 px, on acme (French) and demo (English), signed out and signed in as a learner, an instructor and an
administrator, with the ids of real rows (the demo course, its lessons, a certificate, a claim…):

- no horizontal overflow: the document is never wider than the viewport (tables scroll in their container);
- no axe-core violation of WCAG 2.1 A and AA (axe-core from the npm registry, `make assets`, injected into
  each page by the test: the pages' Content-Security-Policy allows no inline script, and the page itself
  never loads it);
- no English on a French page: no visible text of an acme page contains an English msgid of the French
  catalogues (the project's .po files) whose French msgstr differs.

Routes are read from the tenant URLconf (tests/routes.py): a route that is neither walked (a 200 HTML page for
at least one role on each tenant) nor listed in SKIPPED with its reason fails the walk, so a page added later
is walked without editing this file."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import schema_context

from courses import services
from courses.models import Cohort, Course, LearningPath, Lesson
from mooc_platform.accounts.invitations import invitation_token
from mooc_platform.accounts.models import User
from mooc_platform.accounts.not_me import not_me_token
from tenants.models import Tenant
from tests.courses.helpers import answers_for
from tests.courses.scorm.helpers import scorm_lesson_ready
from tests.factories import EnrollmentFactory, UserFactory
from tests.helpers import unique
from tests.invoicing.helpers import subscription_rows_for
from tests.routes import TENANT_URLCONF, route_fill, route_params, routes

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1366, 375)
TENANTS = {"acme": "fr", "demo": "en"}
ROLES = ("anonymous", "learner", "instructor", "administrator")
SCREENSHOTS = os.environ.get("WALK_SCREENSHOTS", "")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Routes of the tenant URLconf the walk does not open, each with its reason. Every other route must be walked.
SKIPPED: dict[str, str] = {
    "/api/": "the JSON API (every /api/ route): no page; its answers are tested in tests/api/ and tests/isolation/",
    "/branding.css": "a stylesheet",
    "/healthz": "the health check's plain text",
    "/manifest.webmanifest": "the web app manifest, JSON (tested in tests/foundation/test_web_app.py)",
    "/icons/<int:size>.png": "the installed app's icons, PNG (tested in tests/foundation/test_web_app.py)",
    "/logout/": "POST only (the header's sign-out button)",
    "/sign-out-everywhere/": "POST only (a button of the profile page)",
    "/maintenance/banner/dismiss/": "POST only (the banner's dismiss button), redirects back",
    "/courses/<slug:slug>/enrol/": "POST only (the course page's enrol button)",
    "/courses/<slug:slug>/lessons/<id:pk>/complete/": "POST only (the lesson page's button)",
    "/posts/<id:pk>/report/": "POST only (the discussion's report button)",
    "/manage/domains/<int:pk>/verify/": "POST only (the domains page's verify button)",
    "/integrations/webhooks/<id:endpoint_id>/ping/": "POST only (the endpoint page's test button)",
    "/integrations/webhooks/<id:endpoint_id>/deliveries/<id:delivery_id>/replay/": "POST only (a delivery's button)",
    "/billing/invoices/<int:invoice_id>/pay/": "redirects to the payment provider's checkout",
    "/billing/resubscribe/": "redirects to the billing page (the resubscription is its POST)",
    "/account-status/": "redirects to the page the account's state calls for",
    "/accounts/invitation/<str:token>/": "the invitation links of older e-mails: redirects to /invitation/<token>/",
    "/exports/status/": "the export page's progress, JSON polled by tenants/static/tenants/exports.js",
    "/my/export.json": "a file download (the user's data, JSON)",
    "/my/certificates/<id:pk>/download/": "a file download (redirects to the certificate's PDF in S3)",
    "/certificates/verify/<str:code>/credential.jsonld": "the certificate's Open Badge, JSON-LD",
    "/teach/cohorts/<id:cohort_id>/import/report.csv": "a file download (the lines a cohort's CSV import did not add)",
    "/manage/analytics/<id:pk>.csv": "a file download (CSV)",
    "/manage/audit-log.csv": "a file download (CSV)",
    "/manage/users/import/template.csv": "a file download (CSV)",
    "/manage/users/import/report.csv": "a file download (CSV of the last import's errors)",
    "/billing/invoices/<int:invoice_id>/pdf/": "a file download (PDF)",
    "/billing/orders/<int:quote_id>/pdf/": "a file download (PDF)",
    "/billing/orders/<int:quote_id>/terms/pdf/": "a file download (PDF)",
    "/manage/sso/<id:provider_id>/delete/": "POST only (the provider page's delete button)",
    "/sso/<id:provider_id>/login/": "redirects to the identity provider's sign-in page",
    "/sso/<id:provider_id>/oidc/callback/": "the identity provider's answer to a sign-in, signed by it (its pages "
                                            "are tested with a real provider in tests/integrations/)",
    "/sso/<id:provider_id>/saml/acs/": "POST only (the identity provider's SAML answer)",
    "/sso/<id:provider_id>/saml/metadata/": "the SAML service provider's metadata, XML",
    "/teach/courses/<id:course_id>/cartridge/<id:export_id>/download/": "a file download (the Common Cartridge)",
    "/manage/xapi/retry/": "POST only (the xAPI page's retry button)",
    "/manage/xapi/delete/": "POST only (the xAPI page's delete button)",
    "/my/notifications/<id:pk>/open/": "marks the notification read and redirects to what it is about",
    "/my/calendar/<id:user_id>/<slug:key>.ics": "the learner's calendar feed, iCalendar",
    "/courses/<slug:slug>/lessons/<id:pk>/captions/<slug:language>.vtt": "a video lesson's captions, WebVTT",
    "/courses/<slug:slug>/lessons/<id:pk>/scorm/<id:package_id>/<path:path>":
        "a SCORM package's own files (its SCO is walked in the frame of the SCORM lesson's page)",
    "/courses/<slug:slug>/lessons/<id:pk>/scorm-commit/<id:attempt_id>/<str:token>/":
        "POST only: the SCORM runtime's commits (JSON)",
    "/courses/<slug:slug>/images/<id:pk>/": "an image of the course's texts: a redirect to storage (tested in "
                                            "tests/courses/authoring/)",
    "/jsi18n/": "the scripts' translations, JavaScript (tested in tests/foundation/)",
    "/.well-known/jwks.json": "the LTI tool's public keys, JSON (tested in tests/lti/)",
    "/lti/jwks/": "the LTI tool's public keys, JSON (tested in tests/lti/)",
    "/lti/login/": "the LMS's OIDC login initiation: redirects to the LMS (tested with a fake LMS in tests/lti/)",
    "/lti/launch/": "POST only (the LMS's signed id_token)",
    "/lti/continue/<str:token>/": "a one-time link of a framed launch: signs in and redirects to the course or "
                                  "lesson (tested with a fake LMS in tests/lti/)",
    "/lti/deep-link/": "POST only (the deep-linking picker's choice, sent back to the LMS)",
    "/manage/lti/<id:platform_id>/links/<id:link_id>/roster/": "reads the roster from the LMS over the network "
                                                                "(tested with a fake LMS in tests/lti/)",
}

# English msgids that may stand on a French page: the same word in French, or a proper name.
ENGLISH_ALLOWED = {
    "Open Badge": "the standard's name",
}


def _skip_reason(route: str) -> str | None:
    if route.startswith("/api/") and route not in ("/api/docs/",):
        return SKIPPED["/api/"]
    if route == "/api/docs/":
        return "Swagger UI, a third-party page of the API's reference (its own accessibility)"
    return SKIPPED.get(route)


# --- The French catalogue -----------------------------------------------------------------------------------


def _po_entries(path: Path) -> Iterator[tuple[str, str]]:
    """(msgid, msgstr) of each entry of a .po file (plural entries give their singular and first form)."""
    msgid = msgstr = None
    current = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if line.startswith("msgid "):
            if msgid is not None and msgstr is not None:
                yield msgid, msgstr
            msgid, msgstr, current = _unquote(line[6:]), None, "id"
        elif line.startswith("msgid_plural "):
            current = "plural"
        elif line.startswith(("msgstr ", "msgstr[0] ")):
            msgstr, current = _unquote(line.split(" ", 1)[1]), "str"
        elif line.startswith("msgstr["):
            current = "other"
        elif line.startswith('"'):
            if current == "id" and msgid is not None:
                msgid += _unquote(line)
            elif current == "str" and msgstr is not None:
                msgstr += _unquote(line)
        elif not line and msgid is not None and msgstr is not None:
            yield msgid, msgstr
            msgid = msgstr = current = None
    if msgid is not None and msgstr is not None:
        yield msgid, msgstr


def _unquote(text: str) -> str:
    return json.loads(text) if text.startswith('"') else ""


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]+>")


def english_phrases() -> dict[str, str]:
    """English phrase → its msgid, from every French catalogue of the project: the literal parts of msgids whose
    French differs. A msgid of one word is left out when shorter than 5 letters (`Plan`, `Quiz`: the same in
    French) or when it is also a word of a French msgstr (`Active`, `Message`); of a msgid with placeholders,
    only parts of 12 characters or more are kept."""
    phrases: dict[str, str] = {}
    french_words: set[str] = set()
    entries: list[tuple[str, str]] = []
    for po in sorted(ROOT.glob("*/locale/fr/LC_MESSAGES/django.po")) + sorted(
            ROOT.glob("*/*/locale/fr/LC_MESSAGES/django.po")):
        if ".venv" in po.parts or "node_modules" in po.parts:
            continue
        entries += _po_entries(po)
    for _, msgstr in entries:
        french_words.update(word.lower() for word in re.findall(r"\w+", msgstr))
    for msgid, msgstr in entries:
        if not msgid or msgid == msgstr or msgid in ENGLISH_ALLOWED:
            continue
        parts = [part.strip(" .:,;()") for part in PLACEHOLDER.split(msgid)]
        templated = len(parts) > 1
        for part in parts:
            part = " ".join(part.split())
            if not part or (templated and len(part) < 12) or (len(part) < 5 and " " not in part):
                continue
            if not re.search(r"[A-Za-z]{2}", part) or part in msgstr:
                continue  # no word, or kept as is in the French (a name, a code)
            if " " not in part and part.lower() in french_words:
                continue  # one word that is French too ("Active", "Message", "Date")
            phrases.setdefault(part, msgid)
    return phrases


def english_in(text: str, phrases: dict[str, str]) -> list[str]:
    """The English phrases found as whole words in `text`; a word of a path, an e-mail or a code
    (`/courses/`, `claim.created`) is none."""
    found = []
    for phrase in phrases:
        if phrase in text and re.search(r"(?<![\w'’/.@-])" + re.escape(phrase) + r"(?![\w'’/@-])", text):
            found.append(phrase)
    # A phrase inside a longer phrase found is reported once, as the longer one.
    return sorted(p for p in found if not any(p != q and p in q for q in found))


# --- The world: real rows for every parameter ------------------------------------------------------------------


@dataclass
class TenantWorld:
    tenant: Tenant
    users: dict[str, User]
    ids: dict[str, str]
    clients: dict[str, Client] = field(default_factory=dict)
    created: list[Any] = field(default_factory=list)  # tenant-schema rows to delete afterwards (no flush empties them)


def _world_remove(world: TenantWorld) -> None:
    """Delete what `_world` committed in the tenant's schema (the public rows go with the test's flush): its users
    with their enrolments, attempts and invitations (CASCADE), their certificates and posts (SET_NULL on the
    user), the webhook endpoint and the API key. Other tests count the organisation's administrators."""
    from courses.models import Certificate, Post

    with schema_context(world.tenant.schema_name):
        users = [user.pk for user in world.users.values()] + [int(world.ids["invited_pk"])]
        Certificate.objects.filter(user_id__in=users).delete()
        Post.objects.filter(author_id__in=users).delete()
        for row in world.created:
            type(row).objects.filter(pk=row.pk).delete()
        User.objects.filter(pk__in=users).delete()


# Names of the walk's users: neither English nor French words.
NAMES = {"learner": "Camille Martin", "instructor": "Noor Haddad", "administrator": "Yuki Tanaka"}


def _world(tenant: Tenant) -> TenantWorld:
    """In `tenant`'s schema: the demo course with its lessons; a learner enrolled who passed its quiz (a
    certificate) and wrote in its forum; an instructor and an administrator; a webhook endpoint, an API key, a
    support-access grant, a claim, a subscription; an invited user (invitation and "not me" links) and a
    password-reset link. New users (unique e-mails) speak the tenant's language: committed rows of a tenant
    schema stay, so the demo accounts themselves are left as they are."""
    from claims import services as claims_services
    from integrations.models import IdentityProvider
    from integrations.services.api_keys import api_key_create
    from integrations.services.webhooks import webhook_endpoint_create
    from lti.models import LtiPlatform, LtiResourceLink, LtiScore
    from tenants.services.support import support_grant_create

    subscription_rows_for(tenant)
    language = tenant.language
    with schema_context(tenant.schema_name):
        users = {role: UserFactory(role=role if role != "anonymous" else "learner", language=language,
                                   full_name=NAMES[role], email=f"{unique('walk')}@example.org")
                 for role in ("learner", "instructor", "administrator")}
        course = Course.objects.filter(status=Course.Status.PUBLISHED).order_by("id").first()
        lessons = list(Lesson.objects.filter(module__course=course).order_by("module__position", "position", "id"))
        text = next(lesson for lesson in lessons if lesson.kind == Lesson.Kind.TEXT)
        quiz = next(lesson for lesson in lessons if lesson.kind == Lesson.Kind.QUIZ)
        learner = users["learner"]
        EnrollmentFactory(course=course, user=learner)
        for lesson in lessons:
            if lesson.kind == Lesson.Kind.TEXT:
                services.lesson_complete(lesson=lesson, user=learner)
        attempt = services.quiz_attempt_start(lesson=quiz, user=learner)
        services.quiz_attempt_submit(attempt=attempt, user=learner,
                                     answers=answers_for(quiz, right=quiz.questions.count()))
        certificate = learner.certificates.get(course=course)
        services.post_create(course=course, author=learner, body="Bonjour ! Hello!")
        admin = users["administrator"]
        endpoint = webhook_endpoint_create(url="https://hooks.example.com/walk", events=["user.created"], actor=admin)
        api_key, _ = api_key_create(name="Walk key", scopes=["users"], actor=admin)
        invited = User.objects.create_user(f"{unique('camille')}@example.org", None, role=User.Role.LEARNER,
                                           language=language)
        # An identity provider (single sign-on): its page, and its button on the sign-in page. Made as a row: the
        # service would fetch the provider's discovery document.
        provider = IdentityProvider.objects.create(
            name="Keycloak", protocol="oidc", discovery_url="https://idp.example.com/.well-known/openid-configuration",
            client_id="walk", client_secret="walk-secret")
        # An LTI platform with a placement of the course and a score sent back: its page shows both tables.
        platform = LtiPlatform.objects.create(
            name="Moodle", issuer="https://lms.example.com", client_id="walk", deployment_ids=["1"],
            auth_login_url="https://lms.example.com/auth", auth_token_url="https://lms.example.com/token",
            key_set_url="https://lms.example.com/jwks")
        link = LtiResourceLink.objects.create(
            platform=platform, resource_link_id="walk-link", deployment_id="1", title="Walk", context_id="c1",
            context_title="Algèbre 101", course=course, lesson=quiz, lineitem_url="https://lms.example.com/li/1",
            memberships_url="https://lms.example.com/nrps/1")
        LtiScore.objects.create(resource_link=link, user=learner, score_given=85, status=LtiScore.Status.SENT,
                                attempts=1, sent_at=timezone.now())
        # A SCORM lesson with its package (issue 14 item 6), once the learner's certificate is earned.
        scorm, package = scorm_lesson_ready(course=course, actor=users["instructor"])
        created = [endpoint, api_key, provider, platform, scorm, package.content]
        ids = {"slug": course.slug, "pk": str(text.pk), "code": certificate.code,
               "endpoint_id": str(endpoint.pk), "api_key_id": str(api_key.pk),
               "token": invitation_token(user=invited), "uidb64": urlsafe_base64_encode(force_bytes(learner.pk))}
        ids["not_me_token"] = not_me_token(user=learner)
        ids["unsubscribe_token"] = services.notifications.unsubscribe_token(user=learner, kind="reply")
        ids["reset_token"] = default_token_generator.make_token(learner)
        ids["course_pk"] = ids["course_id"] = str(course.pk)
        ids["lesson_pk"] = str(text.pk)
        ids["quiz_pk"] = str(quiz.pk)
        ids["scorm_pk"] = str(scorm.pk)
        ids["module_pk"] = str(text.module_id)
        ids["user_pk"] = str(learner.pk)
        grant = support_grant_create(tenant=tenant, scope="users", expires_at=timezone.now() + timedelta(days=7),
                                     actor=admin)
        ids["grant_pk"] = str(grant.pk)
        ids["invited_pk"] = str(invited.pk)
        ids["provider_id"] = str(provider.pk)
        ids["platform_id"] = str(platform.pk)
        # The demo cohort and learning path (courses/demo.py).
        ids["cohort_id"] = str(Cohort.objects.order_by("id").values_list("pk", flat=True).first())
        demo_path = LearningPath.objects.filter(status=LearningPath.Status.PUBLISHED).order_by("id").first()
        ids["path_id"], ids["path_slug"] = str(demo_path.pk), demo_path.slug
    claim = claims_services.claim_file(tenant=tenant, actor=admin, category="other",
                                       event_at=timezone.now() - timedelta(hours=2),
                                       subject="Vidéos / videos", body="Lentes / slow.")
    ids["claim_id"] = str(claim.pk)
    return TenantWorld(tenant=tenant, users=users, ids=ids, created=created)


# Routes whose page differs with the row: each variant is walked (a text lesson and a quiz; each protocol).
VARIANTS: dict[str, list[dict[str, str]]] = {
    "/courses/<slug:slug>/lessons/<id:pk>/": [{"pk": "lesson_pk"}, {"pk": "quiz_pk"}, {"pk": "scorm_pk"}],
    "/teach/lessons/<id:pk>/": [{"pk": "lesson_pk"}, {"pk": "quiz_pk"}, {"pk": "scorm_pk"}],
    "/teach/preview/<slug:slug>/lessons/<id:pk>/": [{"pk": "lesson_pk"}, {"pk": "quiz_pk"}, {"pk": "scorm_pk"}],
    "/manage/sso/new/<str:protocol>/": [{"protocol": "oidc"}, {"protocol": "saml"}],
}
# Pages of no route: the page of an unknown address (404), in the tenant's language too; an altered unsubscribe
# link's page (400).
EXTRA_PAGES = {"/no-such-page/": 404, "/notifications/unsubscribe/not-a-token/": 400}


def _paths(route: str, world: TenantWorld) -> list[str]:
    """The paths that walk `route`: one, or one per variant of its page (VARIANTS: a parameter's value is a key of
    the world's ids, or itself)."""
    if route in VARIANTS:
        return [route_fill(route, {**world.ids, **{name: world.ids.get(key, key) for name, key in variant.items()}})
                or "" for variant in VARIANTS[route]]
    path = _path(route, world)
    assert path is not None, f"{route}: no value for its parameters {route_params(route)}"
    return [path]


def _path(route: str, world: TenantWorld) -> str | None:
    """The route filled with the world's rows: each parameter by its name, and by the route where one name
    means different rows (`pk` is a lesson, a course, a user or a grant)."""
    ids = dict(world.ids)
    if route.startswith(("/teach/courses/", "/manage/analytics/")):
        ids["pk"] = ids["course_pk"]
    elif route.startswith("/teach/modules/"):
        ids["pk"] = ids["module_pk"]
    elif route.startswith("/manage/users/"):
        # An invitation is cancelled while it is pending: the invited user's.
        ids["pk"] = ids["invited_pk"] if route.endswith("/cancel-invitation/") else ids["user_pk"]
    elif route.startswith("/manage/support-access/"):
        ids["pk"] = ids["grant_pk"]
    elif route.startswith("/not-me/"):
        ids["token"] = ids["not_me_token"]
    elif route.startswith("/notifications/unsubscribe/"):
        ids["token"] = ids["unsubscribe_token"]
    elif route.startswith("/accounts/reset/"):
        ids["token"] = ids["reset_token"]
    return route_fill(route, ids)


def _client(tenant: Tenant, user: User | None) -> Client:
    """A test client of the tenant's host, signed in as `user`; the browser gets its session cookie."""
    client = Client(HTTP_HOST=tenant.get_primary_domain().domain)
    if user is not None:
        with schema_context(tenant.schema_name):
            client.force_login(user)
    return client


def _opens(client: Client, path: str) -> bool:
    """Whether `path` is a page this client opens: an HTML 200, possibly after redirects within the same route
    (a password-reset link moves its token into the session). A redirect elsewhere (the login page, home), a
    refusal or a file is not."""
    response = client.get(path)
    while response.status_code in (301, 302, 303):
        target = response["Location"].split("?")[0]
        try:
            same = resolve(target, urlconf=TENANT_URLCONF).route == resolve(path.split("?")[0],
                                                                            urlconf=TENANT_URLCONF).route
        except Resolver404:
            return False
        if not same:
            return False
        response = client.get(target)
    return response.status_code == 200 and "text/html" in response.get("Content-Type", "")


# --- The walk ---------------------------------------------------------------------------------------------------

OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
                ' ' + Math.round(r.right));
      if (wide.length > 5) break;
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide};
}"""

AXE_JS = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').slice(0, 200))}));
}"""

TEXT_JS = """() => {
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], img[alt], input[type=submit]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt', 'value']) {
      const value = el.getAttribute(name);
      if (value && (name !== 'value' || el.type === 'submit')) parts.push(value);
    }
  }
  return parts.join('\\n');
}"""


@dataclass
class Report:
    visited: dict[str, set[str]] = field(default_factory=dict)  # route -> "tenant/role" that saw it
    overflow: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pages: int = 0


def _visit_all(browser: Any, base: str, world: TenantWorld, role: str, report: Report, phrases: dict[str, str],
               route_list: list[str]) -> None:
    slug = world.tenant.slug
    context = browser.new_context(locale="fr-FR" if TENANTS[slug] == "fr" else "en-GB",
                                  viewport={"width": WIDTHS[0], "height": 900})
    context.set_default_timeout(30_000)
    context.add_init_script(path=str(AXE))  # the devtools protocol's own script: the page's CSP does not apply
    session = world.clients[role].cookies.get(settings.SESSION_COOKIE_NAME)
    if session is not None:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.value,
                              "domain": f"{slug}.localhost", "path": "/"}])
    page = context.new_page()
    try:
        visits = [(route, path, 200) for route in route_list for path in _paths(route, world)]
        visits += [(path, path, status) for path, status in EXTRA_PAGES.items()]
        for route, path, status in visits:
            if status == 200 and not _opens(world.clients[role], path):
                continue  # not this role's page (403, 404, the login page) or no page at all
            response = page.goto(base + path)
            if response is None or response.status != status:
                report.errors.append(f"{slug}/{role} {path}: {response and response.status}, expected {status}")
                continue
            report.pages += 1
            report.visited.setdefault(route, set()).add(f"{slug}/{role}")
            _check(page, f"{slug}/{role} {path}", slug, report, phrases)
    finally:
        context.close()


def _check(page: Any, where: str, slug: str, report: Report, phrases: dict[str, str]) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 740})
        if SCREENSHOTS:  # WALK_SCREENSHOTS=<folder>: every page at every width, to look at
            name = re.sub(r"[^\w]+", "_", where).strip("_")[:120]
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}_{width}.png"), full_page=True)
        overflow = page.evaluate(OVERFLOW_JS)
        if overflow:
            report.overflow.append(f"{where} at {width}px: {overflow}")
        for violation in page.evaluate(AXE_JS, AXE_TAGS):
            report.axe.append(f"{where} at {width}px: {violation['id']} ({violation['impact']}) {violation['help']}"
                              f" — {violation['nodes']}")
        if width == WIDTHS[0] and TENANTS[slug] == "fr":
            found = english_in(page.evaluate(TEXT_JS), phrases)
            if found:
                report.english.append(f"{where}: {found}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_the_walk_knows_every_tenant_route() -> None:
    """A route is walked or skipped with a reason; skipped routes exist."""
    tenant_routes = routes(TENANT_URLCONF)
    assert "/courses/<slug:slug>/lessons/<id:pk>/" in tenant_routes
    assert sorted(set(SKIPPED) - set(tenant_routes) - {"/api/"}) == [], "these skipped routes no longer exist"


def test_english_phrases_come_from_the_french_catalogues() -> None:
    phrases = english_phrases()
    assert "Skip to content" in phrases and "My progress" in phrases
    assert english_in("Aller au contenu · Mon parcours", phrases) == []
    assert english_in("Aller au contenu · My progress", phrases) == ["My progress"]


def test_every_page_fits_a_phone_passes_axe_and_speaks_the_tenant_language(live_server_port: int, browser: Any,
                                                                           demo: Tenant, acme: Tenant) -> None:
    assert AXE.exists(), "axe-core is installed by `make assets` (npm ci)"
    started = time.monotonic()
    phrases = english_phrases()
    route_list = [route for route in routes(TENANT_URLCONF) if _skip_reason(route) is None]
    report = Report()
    for tenant in (acme, demo):
        world = _world(tenant)
        try:
            world.clients = {role: _client(tenant, world.users.get(role)) for role in ROLES}
            base = f"http://{tenant.slug}.localhost:{live_server_port}"
            for role in ROLES:
                _visit_all(browser, base, world, role, report, phrases, route_list)
        finally:
            _world_remove(world)
    seconds = time.monotonic() - started
    print(f"walked {report.pages} pages × {len(WIDTHS)} widths in {seconds:.0f} s")
    not_walked = {route: sorted(report.visited.get(route, ())) for route in route_list
                  if {f"{slug}/" for slug in TENANTS} - {seen.split("/")[0] + "/" for seen in
                                                         report.visited.get(route, ())}}
    problems = {"not walked on both tenants (fill its parameters, or add it to SKIPPED with the reason)": not_walked,
                "errors": report.errors, "wider than the screen": report.overflow, "axe-core (WCAG 2.1 AA)": report.axe,
                "English on a French page": report.english}
    problems = {name: found for name, found in problems.items() if found}
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False, default=list)
