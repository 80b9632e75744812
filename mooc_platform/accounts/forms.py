"""Account forms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth import forms as auth_forms

from ..emails import from_header
from .models import User
from .not_me import not_me_path


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form e-mails only users who have a usable password; a user who never chose one (an
    expired invitation) must be able to reset it too (issue 9 item 8)."""

    def get_users(self, email: str) -> Iterator[User]:
        yield from User.objects.filter(email__iexact=email.strip(), is_active=True)

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        """With the "this wasn't me" link of every security e-mail (SPEC R29)."""
        context = {**context, "not_me_url": f"{context['protocol']}://{context['domain']}"
                                            f"{not_me_path(user=context['user'])}"}
        # From the organisation's sender name like its other e-mails (issue 13 item 4).
        super().send_mail(subject_template_name, email_template_name, context, from_email or from_header(), to_email,
                          html_email_template_name)
