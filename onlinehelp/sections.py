"""Which help section explains which page: every page of the tenant URLconf has one (a test reads the URLconf).

A section is an anchor of the help page (`/help/#<anchor>`) in one role's part. Pages are named by their URL
name; routes that are no page (API, files, form posts that redirect) are listed in `NOT_PAGES`."""

from __future__ import annotations

LEARNER, INSTRUCTOR, ADMINISTRATOR = "learner", "instructor", "administrator"
ROLES = (LEARNER, INSTRUCTOR, ADMINISTRATOR)

# anchor -> role whose part of the help holds it
SECTIONS: dict[str, str] = {
    "start": LEARNER,
    "sign-in": LEARNER,
    "catalogue": LEARNER,
    "lessons": LEARNER,
    "discussions": LEARNER,
    "progress": LEARNER,
    "certificates": LEARNER,
    "profile": LEARNER,
    "maintenance": LEARNER,
    "privacy": LEARNER,
    "teaching": INSTRUCTOR,
    "moderation": INSTRUCTOR,
    "analytics": INSTRUCTOR,
    "dashboard": ADMINISTRATOR,
    "users": ADMINISTRATOR,
    "branding": ADMINISTRATOR,
    "billing": ADMINISTRATOR,
    "our-data": ADMINISTRATOR,
    "support-access": ADMINISTRATOR,
    "domains": ADMINISTRATOR,
    "audit-log": ADMINISTRATOR,
    "claims": ADMINISTRATOR,
    "privacy-notice": ADMINISTRATOR,
    "integrations": ADMINISTRATOR,
}

# URL name -> anchor
PAGE_SECTIONS: dict[str, str] = {
    "home": "start",
    "help": "start",
    "login": "sign-in",
    "invitation": "sign-in",
    "invitation-new": "sign-in",
    "invitation-new-sent": "sign-in",
    "invitation-accept": "sign-in",
    "password_reset": "sign-in",
    "password_reset_done": "sign-in",
    "password_reset_confirm": "sign-in",
    "password_reset_complete": "sign-in",
    "tenant-account-status": "sign-in",
    "catalogue": "catalogue",
    "course": "catalogue",
    "course-landing": "catalogue",
    "course-enrol": "catalogue",
    "lesson": "lessons",
    "lesson-complete": "lessons",
    "discussion": "discussions",
    "post-report": "discussions",
    "my-progress": "progress",
    "my-certificates": "certificates",
    "certificate-download": "certificates",
    "certificate-verify": "certificates",
    "certificate-credential": "certificates",
    "my-profile": "profile",
    "my-export": "profile",
    "my-delete": "profile",
    "sign-out-everywhere": "profile",
    "not-me": "profile",
    "teach": "teaching",
    "teach-course": "teaching",
    "teach-lesson": "teaching",
    "moderation": "moderation",
    "analytics": "analytics",
    "analytics-course": "analytics",
    "analytics-csv": "analytics",
    "manage-dashboard": "dashboard",
    "manage-users": "users",
    "manage-import": "users",
    "manage-user-erase": "users",
    "manage-user-deactivate": "users",
    "manage-import-template": "users",
    "manage-import-report": "users",
    "privacy": "privacy",
    "privacy-edit": "privacy-notice",
    "manage-branding": "branding",
    "billing": "billing",
    "billing-cancel": "billing",
    "billing-resubscribe": "billing",
    "billing-invoice-pdf": "billing",
    "billing-identity": "billing",
    "billing-order-pdf": "billing",
    "billing-order-terms-pdf": "billing",
    "tenant-timeline": "our-data",
    "tenant-exports": "our-data",
    "tenant-exports-status": "our-data",
    "tenant-support-access": "support-access",
    "tenant-support-access-revoke": "support-access",
    "tenant-domains": "domains",
    "tenant-domain-verify": "domains",
    "tenant-audit-log": "audit-log",
    "tenant-audit-log-csv": "audit-log",
    "claims": "claims",
    "claim-new": "claims",
    "claim": "claims",
    "integrations-webhooks": "integrations",
    "integrations-webhook": "integrations",
    "integrations-webhook-delete": "integrations",
    "integrations-webhook-ping": "integrations",
    "integrations-webhook-rotate": "integrations",
    "integrations-webhook-replay": "integrations",
    "integrations-api-keys": "integrations",
    "integrations-api-key-revoke": "integrations",
}

# Routes of the tenant URLconf that are no page a person reads (machine answers, files, sign-out).
NOT_PAGES = {"healthz", "logout", "api-schema", "api-docs", "branding-css"}


def help_anchor(url_name: str | None) -> str:
    """The help section of the page named `url_name` ("start" for a page the table does not know)."""
    return PAGE_SECTIONS.get(url_name or "", "start")
