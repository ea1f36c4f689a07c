"""The public pages: what anyone reads without logging in (docs/decisions/0049).

Every page is rendered from ``meetings.selectors.public`` alone and never from the reader, so it is the same
for everyone and may be cached by anyone: ``condition()`` answers 304 to a reader who has it, with an ETag
that hashes the page itself (whatever changes on the page changes it, a withdrawn paper included) and a
Last-Modified of when the page at that address last changed. Anything not public is a plain 404 — the same page
as a pk that does not exist, so nothing says what is behind it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import condition, require_safe

from meetings.selectors import public as selectors
from meetings.views.documents import document_response

# Shared caches keep a page this long before asking again; a withdrawn meeting is gone everywhere within it.
PUBLIC_MAX_AGE = 60
SEEN_SECONDS = 30 * 24 * 3600  # how long the time a page last changed is remembered


@dataclass(frozen=True)
class Built:
    body: str
    etag: str
    modified: dt.datetime


def _changed_at(path: str, digest: str) -> dt.datetime:
    """When the page at ``path`` last changed to this content: kept per path in the cache with the digest
    it was for. A page that changes back to an earlier version is still newer than the one a reader holds;
    a forgotten entry counts as changed now (too new is safe, too old would be a wrong 304)."""
    key = "public-changed:" + hashlib.sha256(path.encode()).hexdigest()[:32]
    seen = cache.get(key)
    if seen is None or seen[0] != digest:
        seen = (digest, timezone.now().replace(microsecond=0))
        cache.set(key, seen, SEEN_SECONDS)
    return seen[1]


def _built(request, build: Callable[..., str], kwargs: dict) -> Built:
    """The page built once per request: ``condition()``'s two validators and the view share it."""
    built = getattr(request, "_public_built", None)
    if built is None:
        body = build(**kwargs)  # Http404 for anything not public
        digest = hashlib.sha256(body.encode()).hexdigest()[:32]
        built = request._public_built = Built(body, f'"{digest}"', _changed_at(request.path, digest))
    return built


def _cacheable(view):
    """Cache-Control on every answer that carries the page, 304s included (a 404 gets none)."""

    @functools.wraps(view)
    def wrapped(request, **kwargs):
        response = view(request, **kwargs)
        if response.status_code in (200, 304):
            response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        return response

    return wrapped


def public_page(build: Callable[..., str], content_type: str = "text/html; charset=utf-8"):
    """A GET/HEAD view serving what ``build(**url kwargs)`` renders, with its validators."""

    def etag(request, **kwargs) -> str:
        return _built(request, build, kwargs).etag

    def modified(request, **kwargs) -> dt.datetime:
        return _built(request, build, kwargs).modified

    @require_safe
    @_cacheable
    @condition(etag_func=etag, last_modified_func=modified)
    def view(request, **kwargs):
        return HttpResponse(_built(request, build, kwargs).body, content_type=content_type)

    return functools.wraps(build)(view)


def _render(template: str, context: dict) -> str:
    # No request: no context processor reads the user or the session, so the page is the same for all.
    return render_to_string(template, {**context, "reader_tz": None})


# --- The pages ------------------------------------------------------------------------------------------


def _index() -> str:
    return _render("public/index.html", {"bodies": selectors.public_index()})


def _body(*, acronym: str) -> str:
    page = selectors.public_body_page(acronym=acronym)
    if page is None:
        raise Http404("No such body")
    return _render("public/body.html", {"page": page})


def _meeting(*, pk: int) -> str:
    page = selectors.public_meeting_page(pk=pk)
    if page is None:
        raise Http404("No such meeting")
    return _render("public/meeting.html", {"page": page, "meeting": page.meeting})


def _agenda(*, pk: int) -> str:
    page = selectors.public_meeting_page(pk=pk)
    if page is None or page.agenda is None:
        raise Http404("No such agenda")  # a draft agenda is not public
    return _render("public/agenda.html", {"page": page, "meeting": page.meeting})


def _decision(*, pk: int) -> str:
    decision = selectors.public_decision(pk=pk)
    if decision is None:
        raise Http404("No such decision")
    return _render("public/decision.html", {"decision": decision, "meeting": decision.meeting})


def _sitemap() -> str:
    bodies, meetings = selectors.public_sitemap()
    base = settings.SITE_URL
    urls = [(base + reverse("public:index"), None)]
    urls += [(base + reverse("public:body", args=[a]), None) for a in bodies]
    urls += [(base + reverse("public:meeting", args=[pk]), changed) for pk, changed in meetings]
    return render_to_string("public/sitemap.xml", {"urls": urls})


index = public_page(_index)
body = public_page(_body)
meeting = public_page(_meeting)
agenda = public_page(_agenda)
decision = public_page(_decision)


sitemap = public_page(_sitemap, "application/xml; charset=utf-8")


@require_safe
def robots_txt(request):
    """Search engines read the public pages and nothing else (the rest needs a login anyway)."""
    lines = [
        "User-agent: *",
        "Allow: /public/",
        "Allow: /static/",
        "Disallow: /",
        f"Sitemap: {settings.SITE_URL}{reverse('public:sitemap')}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _paper_or_404(request, pk: int):
    found = getattr(request, "_public_paper", None)
    if found is None:
        found = request._public_paper = selectors.public_document(pk=pk)
    if found is None:
        raise Http404("No such paper")
    return found


@require_safe
@_cacheable
@condition(etag_func=lambda request, pk: f'"{_paper_or_404(request, pk).sha256}"')
def paper(request, pk: int):
    """A public paper as uploaded: no stamp, no download log (docs/decisions/0037)."""
    return document_response(_paper_or_404(request, pk))
