"""The administrators' forms of the integrations pages (tenant host)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .events import EVENT_LABELS
from .models import IdentityProvider, SsoPolicy
from .services.api_keys import RATE_LIMIT_MAX, SCOPES


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(label=_("Endpoint URL (https://…)"), max_length=500)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(label=_("Events"), choices=list(EVENT_LABELS.items()),
                                       widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=list(SCOPES.items()),
                                       widget=forms.CheckboxSelectMultiple)
    expires_at = forms.DateTimeField(label=_("Expires (Paris time, optional)"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                format="%Y-%m-%dT%H:%M"),
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
    rate_limit_per_minute = forms.IntegerField(label=_("Requests a minute"), min_value=1, max_value=RATE_LIMIT_MAX,
                                               initial=120)


ROLE_CHOICES = [("learner", _("Learner")), ("instructor", _("Instructor")), ("administrator", _("Administrator"))]


class SsoPolicyForm(forms.Form):
    mode = forms.ChoiceField(label=_("Sign-in policy"), choices=SsoPolicy.Mode.choices, widget=forms.RadioSelect)


class IdentityProviderForm(forms.Form):
    """One identity provider; the fields of the other protocol are left out."""

    name = forms.CharField(label=_("Name shown on the sign-in page"), max_length=100)
    is_active = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    discovery_url = forms.CharField(label=_("Discovery URL (…/.well-known/openid-configuration)"), max_length=500)
    client_id = forms.CharField(label=_("Client ID"), max_length=255)
    client_secret = forms.CharField(label=_("Client secret"), max_length=500, required=False,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    scopes = forms.CharField(label=_("Scopes"), max_length=300, initial="openid email profile")
    metadata_url = forms.CharField(label=_("IdP metadata URL"), max_length=500, required=False)
    metadata_xml = forms.CharField(label=_("or IdP metadata XML"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}))
    provisioning = forms.ChoiceField(label=_("Users"), choices=IdentityProvider.Provisioning.choices,
                                     widget=forms.RadioSelect, initial=IdentityProvider.Provisioning.EXISTING)
    default_role = forms.ChoiceField(label=_("Role of a user created on sign-in"), choices=ROLE_CHOICES,
                                     initial="learner")
    email_attribute = forms.CharField(label=_("E-mail claim or attribute"), max_length=200, initial="email")
    name_attribute = forms.CharField(label=_("Name claim or attribute"), max_length=200, required=False,
                                     initial="name")
    role_attribute = forms.CharField(label=_("Role claim or attribute (optional)"), max_length=200, required=False)
    role_mapping = forms.CharField(
        label=_("Role mapping, one per line: value = role"), required=False,
        help_text=_("For example “teachers = instructor”. Roles: learner, instructor, administrator."),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))

    OIDC_ONLY = ("discovery_url", "client_id", "client_secret", "scopes")
    SAML_ONLY = ("metadata_url", "metadata_xml")

    def __init__(self, *args: object, protocol: str, secret_masked: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.SAML_ONLY if protocol == IdentityProvider.Protocol.OIDC else self.OIDC_ONLY:
            del self.fields[field]
        if protocol == IdentityProvider.Protocol.SAML:
            self.fields["email_attribute"].initial = "email"
            self.fields["name_attribute"].initial = "displayName"
        if "client_secret" in self.fields and secret_masked:
            self.fields["client_secret"].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                "masked": secret_masked}

    def clean_role_mapping(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data.get("role_mapping", "").splitlines(), start=1):
            if not line.strip():
                continue
            value, sep, role = line.rpartition("=")
            if not sep or not value.strip() or role.strip() not in dict(ROLE_CHOICES):
                raise forms.ValidationError(_("Line %(number)d: write “value = role” with a role among learner, "
                                              "instructor, administrator.") % {"number": number})
            mapping[value.strip()] = role.strip()
        return mapping


def role_mapping_text(mapping: dict[str, str]) -> str:
    return "\n".join(f"{value} = {role}" for value, role in mapping.items())


class LrsConfigForm(forms.Form):
    endpoint = forms.CharField(label=_("LRS endpoint (https://…/xapi/)"), max_length=500)
    key = forms.CharField(label=_("LRS key"), max_length=200)
    # Never rendered back (render_value=False): an empty field keeps the stored secret.
    secret = forms.CharField(label=_("LRS secret"), max_length=200, required=False,
                             widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}))
    is_active = forms.BooleanField(label=_("Send statements"), required=False, initial=True)
