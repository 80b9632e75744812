"""The tool's calls to a platform (keyset, token, scores, roster) go to internet addresses over HTTPS only: a URL a
platform hands over (some arrive in its id_token) never makes the tool call into its own network."""

from __future__ import annotations

import pytest

from lti.tool import outgoing_url_check, requests_session


@pytest.mark.parametrize("url", ["http://lms.example/token", "https://10.0.0.8/token", "https://127.0.0.1/jwks",
                                 "https://[::1]/scores", "https://169.254.169.254/latest/meta-data/",
                                 "ftp://lms.example/x", "https:///nohost"])
def test_a_call_off_the_internet_or_in_clear_is_refused(url: str, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG, settings.LTI_ALLOW_HTTP = False, False
    with pytest.raises(ValueError, match="refused"):
        outgoing_url_check(url)


def test_the_session_refuses_before_connecting_and_follows_no_redirect(settings) -> None:  # type: ignore[no-untyped-def]
    import requests

    settings.DEBUG, settings.LTI_ALLOW_HTTP = False, False
    with pytest.raises(requests.exceptions.InvalidURL, match=r"10\.1\.2\.3"):
        requests_session().post("https://10.1.2.3/lineitems/1/scores", data="{}")


def test_loopback_in_clear_is_allowed_in_development_and_tests(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LTI_ALLOW_HTTP = True
    outgoing_url_check("http://127.0.0.1:8080/jwks")
    outgoing_url_check("http://demo.localhost:8000/.well-known/jwks.json")
