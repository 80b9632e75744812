"""Issue 13 item 6: each organisation's site installs on a phone: a web app manifest with its name, colour,
language and icons (192 and 512 px PNG, any and maskable), linked from every page of its host."""

from __future__ import annotations

import io
import json

from django.test import Client
from django_tenants.utils import schema_context
from PIL import Image

from courses import services
from courses.models import Branding
from mooc_platform.accounts.models import User
from tests.helpers import host_of


def test_the_manifest_names_the_organisation_with_its_colour_language_and_icons(demo, acme) -> None:
    with schema_context(demo.schema_name):
        Branding.objects.all().delete()
        services.branding_update(actor=User.objects.get(email="admin@demo.test"), primary_color="#0f766e",
                                 accent_color="#b45309")
    response = Client(HTTP_HOST=host_of(demo)).get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert {key: manifest[key] for key in ("name", "short_name", "lang", "start_url", "display", "theme_color")} == {
        "name": "Demo University", "short_name": "Demo", "lang": "en", "start_url": "/", "display": "standalone",
        "theme_color": "#0f766e"}
    assert [(icon["src"], icon["sizes"], icon["purpose"]) for icon in manifest["icons"]] == [
        ("/icons/192.png?v=%230f766e", "192x192", "any"), ("/icons/192.png?v=%230f766e", "192x192", "maskable"),
        ("/icons/512.png?v=%230f766e", "512x512", "any"), ("/icons/512.png?v=%230f766e", "512x512", "maskable")]
    french = json.loads(Client(HTTP_HOST=host_of(acme)).get("/manifest.webmanifest").content)
    assert (french["name"], french["lang"], french["theme_color"]) == ("ACME Corporate Academy", "fr", "#1d4ed8")


def test_icons_are_pngs_of_the_organisation_colour_at_192_and_512_px(demo) -> None:
    with schema_context(demo.schema_name):
        Branding.objects.all().delete()
        services.branding_update(actor=User.objects.get(email="admin@demo.test"), primary_color="#0f766e",
                                 accent_color="#b45309")
    client = Client(HTTP_HOST=host_of(demo))
    for size in (192, 512):
        response = client.get(f"/icons/{size}.png")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(response.content))
        assert (image.format, image.size) == ("PNG", (size, size))
        assert image.convert("RGB").getpixel((2, 2)) == (0x0F, 0x76, 0x6E)  # full bleed: maskable
        centre = [image.convert("RGB").getpixel((x, size // 2)) for x in range(size // 4, 3 * size // 4)]
        assert (255, 255, 255) in centre  # the initials, white on the dark green
    assert client.get("/icons/100.png").status_code == 404


def test_every_page_of_a_tenant_links_its_manifest_and_the_platform_host_does_not(demo, platform_client) -> None:
    html = Client(HTTP_HOST=host_of(demo)).get("/login/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<link rel="icon" type="image/png" sizes="192x192" href="/icons/192.png">' in html
    assert 'rel="manifest"' not in platform_client.get("/login/").content.decode()
