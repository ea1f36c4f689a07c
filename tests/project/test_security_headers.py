"""Every response carries the security headers; the script policy needs no 'unsafe-inline' on any page."""

from __future__ import annotations

import re

import pytest


def script_src(response) -> list[str]:
    csp = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ") if d}
    return directives["script-src"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


@pytest.mark.parametrize(
    "url",
    ["/", "/governance/", "/meetings/", "/accounts/profile/", "/api/docs/", "/api/redoc/", "/api/v1/"],
)
def test_no_page_needs_inline_script(roles, client, url):
    client.force_login(roles.secretariat)
    r = client.get(url, HTTP_ACCEPT="text/html")
    assert r.status_code == 200, url
    assert script_src(r) == ["'self'"]
    html = r.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html)
    assert "fonts.googleapis.com" not in html  # nothing from a CDN


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, logged_in",
    [
        ("/accounts/login/", False),
        ("/", True),
        ("/api/v1/bodies/", True),
        ("/api/v1/bodies/", False),
        ("/no-such-page/", True),
    ],
)
def test_every_response_carries_csp_and_the_security_headers(client, alice, url, logged_in):
    if logged_in:
        client.force_login(alice)
    r = client.get(url)
    csp = r.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ") if d}
    assert directives.get("default-src") == ["'self'"], csp
    assert directives.get("frame-ancestors") == ["'none'"]
    assert directives.get("form-action") == ["'self'"]
    assert "'unsafe-eval'" not in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["Cross-Origin-Opener-Policy"] == "same-origin"
