"""Every e-mail of the platform leaves through `email_send`: text and HTML, in the recipient's language.

Templates: `<template>.txt` and `<template>.html` (the subject is the first line of the .txt file). Only the
HTML part is HTML-escaped: the subject and the text part are plain text, rendered without autoescape, so
`Collège d'Orléans & Co` and a presigned URL's `&X-Amz-…` reach the reader as written (issue 9 item 16)."""

from collections.abc import Iterable, Sequence
from email.mime.image import MIMEImage
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.module_loading import import_string
from django_tenants.utils import get_public_schema_name


def text_render(template_name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template with autoescape off (its `{% include %}`s inherit it)."""
    template = get_template(template_name).template  # the Django engine's Template, not the backend wrapper
    return template.render(Context(context, autoescape=False))


def from_header(*, sender_name: str | None = None) -> str:
    """The From header: the platform's address (DEFAULT_FROM_EMAIL) under `sender_name` when one is given; otherwise,
    inside a tenant's schema, under the organisation's sender name (its branding, read through
    settings.TENANT_EMAIL_SENDER_READER, issue 13 item 4) when it set one; else DEFAULT_FROM_EMAIL as it is."""
    if sender_name is None and getattr(connection, "schema_name", None) not in (None, get_public_schema_name()):
        sender_name = import_string(settings.TENANT_EMAIL_SENDER_READER)()
    if not sender_name:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((sender_name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def email_send(*, to: Iterable[str], template: str, context: dict[str, Any], language: str = "en",
               attachments: Sequence[tuple[str, bytes, str]] = (), sender_name: str | None = None,
               inline_images: Sequence[dict[str, Any]] = (), headers: dict[str, str] | None = None) -> int:
    """Render `template` in `language` and send it with `attachments` (filename, content, MIME type) from
    `from_header(sender_name=…)`; returns the number of messages sent (0 or 1). Each of `inline_images`
    ({"cid", "content", "content_type"}) is shown by the HTML part's `<img src="cid:…">`; `headers` are added
    to the message (e.g. `List-Unsubscribe`)."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return 0
    with translation.override(language):
        text = text_render(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    subject, _, body = text.partition("\n")
    message = EmailMultiAlternatives(subject=subject.strip(), body=body.lstrip("\n"),
                                     from_email=from_header(sender_name=sender_name), to=recipients,
                                     headers=dict(headers or {}))
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    for image in inline_images:
        maintype, _, subtype = image["content_type"].partition("/")
        part = MIMEImage(image["content"], _subtype=subtype or "png") if maintype == "image" else None
        if part is None:
            continue
        part.add_header("Content-ID", f"<{image['cid']}>")
        part.add_header("Content-Disposition", "inline", filename=f"{image['cid']}.{subtype or 'png'}")
        message.attach(part)
    return message.send()
