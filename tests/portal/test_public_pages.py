"""The public pages and the public feed, read by an anonymous visitor: 200 for what is published, 404 (the
same page as for a pk that does not exist) for everything else, nothing unpublished or personal in any
answer, validators and Cache-Control on every page, and a fixed number of queries whatever the data size.

``test_every_public_route_has_cases`` fails when a public URL exists without its rows below."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from meetings.models import AgendaItem, AgendaVersion, Decision, Document, DocumentDownload, Meeting
from meetings.services import agenda_snapshot
from meetings.services.publication import meeting_withdraw
from tests.world.build import client_as
from tests.world.clock import NOW, at, clock
from tests.world.documents import document_row, pdf_bytes
from tests.world.meetings import meeting_row
from tests.world.people import body_make, state, user_make
from tests.world.public import NEVER, SHOWN, _adopted_report, public_scene

pytestmark = pytest.mark.django_db

FEED = "meetings:body_feed"  # the public calendar feed of a body, older than the public pages


@pytest.fixture
def w(media):
    with clock(NOW):
        yield public_scene()


def _u(name: str, *args) -> str:
    return reverse(name, args=args)


def cases(w) -> dict[str, tuple[list[str], list[str]]]:
    """Per public URL name: the URLs that answer 200 to anyone, and those that answer 404."""
    return {
        "public:index": ([_u("public:index")], []),
        "public:body": (
            [_u("public:body", "ACCMSME")],
            # SEOM and TFX exist but published nothing.
            [_u("public:body", "SEOM"), _u("public:body", "TFX"), _u("public:body", "NO-SUCH")],
        ),
        "public:meeting": (
            [_u("public:meeting", w.past.pk), _u("public:meeting", w.upcoming.pk)],
            [
                _u("public:meeting", w.private.pk),
                _u("public:meeting", w.tfx_meeting.pk),
                _u("public:meeting", 0),
            ],
        ),
        "public:agenda": (
            [_u("public:agenda", w.past.pk)],
            # The upcoming meeting's agenda is a draft; the private one's is circulated but not public.
            [_u("public:agenda", w.upcoming.pk), _u("public:agenda", w.private.pk)],
        ),
        "public:decision": (
            [_u("public:decision", w.decision_public.pk)],
            [
                _u("public:decision", w.decision_unmarked.pk),
                _u("public:decision", w.decision_early.pk),
                _u("public:decision", w.decision_of_private.pk),
            ],
        ),
        "public:paper": (
            [_u("public:paper", w.paper_public.pk)],
            [
                _u("public:paper", d.pk)
                for d in (
                    w.paper_restricted,
                    w.paper_confidential,
                    w.reclassified_v1,
                    w.reclassified_v2,
                    w.paper_of_private,
                )
            ],
        ),
        "public:sitemap": ([_u("public:sitemap")], []),
        "public:robots_txt": ([_u("public:robots_txt")], []),
        FEED: ([_u(FEED, "ACCMSME")], [_u(FEED, "NO-SUCH")]),
    }


def public_url_names() -> set[str]:
    """Every URL name of the ``public`` namespace, found in the URLconf (not listed by hand)."""
    _, resolver = get_resolver().namespace_dict["public"]
    return {f"public:{name}" for name in resolver.reverse_dict if isinstance(name, str)}


def test_every_public_route_has_cases(w):
    names = public_url_names()
    assert {"public:index", "public:meeting", "public:paper"} <= names  # the walk found the namespace
    assert set(cases(w)) == names | {FEED}
    for name, (ok, missing) in cases(w).items():
        assert ok, f"{name} has no published example"
        if name not in ("public:index", "public:sitemap", "public:robots_txt"):
            assert missing, f"{name} has no unpublished example"


def _text(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_anonymous_reads_what_is_published_and_nothing_else(w):
    anonymous = Client()
    seen: set[str] = set()
    with clock(NOW):
        for name, (ok, missing) in cases(w).items():
            for url in ok:
                r = anonymous.get(url)
                assert r.status_code == 200, (name, url, r.status_code)
                text = _text(r)
                leaked = {m for m in NEVER if m in text}
                assert not leaked, f"{url} shows {leaked}"
                seen |= {m for m in SHOWN if m in text}
            for url in missing:
                r = anonymous.get(url)
                assert r.status_code == 404, (name, url, r.status_code)
                text = _text(r)
                assert not {m for m in NEVER | SHOWN if m in text}, f"the 404 of {url} names what it hides"
    assert seen == SHOWN  # every published thing is reachable from some public page


def test_a_logged_in_member_gets_the_same_public_pages(w):
    """Public pages follow publication only: the Secretariat too gets 404 for an unpublished meeting there,
    and the same bytes as anyone for a published one."""
    sec = user_make("sec", secretariat=True, staff=True)
    with clock(NOW):
        assert client_as(sec).get(_u("public:meeting", w.private.pk)).status_code == 404
        mine = client_as(sec).get(_u("public:meeting", w.past.pk))
        anyone = Client().get(_u("public:meeting", w.past.pk))
    assert mine.content == anyone.content
    assert mine["ETag"] == anyone["ETag"]


def test_the_meeting_page_shows_the_circulated_agenda_public_papers_and_adopted_decisions(w):
    with clock(NOW):
        past = Client().get(_u("public:meeting", w.past.pk)).content.decode()
        upcoming = Client().get(_u("public:meeting", w.upcoming.pk)).content.decode()
        index = Client().get(_u("public:index")).content.decode()
    for marker in (
        "Item-Circulated",
        "Paper-Public",
        "Decision-Public",
        _u("public:paper", w.paper_public.pk),
    ):
        assert marker in past
    assert "Item-Draft-Only" not in past  # added after version 1 was circulated
    assert "not been circulated" in upcoming and "Item-Draft-Upcoming" not in upcoming
    assert "Decision-Before-Adoption" not in upcoming  # marked public, but no report adopted
    # The index: upcoming and past under their body, in their own lists.
    upcoming_list = index.split('class="meetings-list upcoming"')[1].split("</ul>")[0]
    past_list = index.split('class="meetings-list past"')[1].split("</ul>")[0]
    assert "Mtg-Upcoming-Public" in upcoming_list and "Mtg-Past-Public" in past_list


def test_a_public_paper_goes_as_uploaded_and_unlogged(w):
    with clock(NOW):
        r = Client().get(_u("public:paper", w.paper_public.pk))
    assert b"".join(r.streaming_content) == pdf_bytes("Paper-Public")
    assert r["Cache-Control"].startswith("public")
    assert r["ETag"] == f'"{w.paper_public.sha256}"'
    assert "attachment" in r["Content-Disposition"]
    assert not DocumentDownload.objects.exists()


def test_pages_carry_validators_and_answer_304_until_they_change(w):
    url = _u("public:meeting", w.past.pk)
    client = Client()
    with clock(NOW):
        first = client.get(url)
        assert first["Cache-Control"] == "public, max-age=60"
        etag, modified = first["ETag"], first["Last-Modified"]
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again["Cache-Control"] == "public, max-age=60"
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    # The paper is reclassified: the page changes, so does its ETag, and a cache holding it must refetch.
    Document.objects.filter(pk=w.paper_public.pk).update(classification=1)
    with clock(NOW + dt.timedelta(minutes=5)):
        changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200 and changed["ETag"] != etag
        assert "Paper-Public" not in changed.content.decode()
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 200
        assert client.get(_u("public:paper", w.paper_public.pk)).status_code == 404

    # Back as it was: the page is the first version again, yet newer than the one the reader holds.
    Document.objects.filter(pk=w.paper_public.pk).update(classification=0)
    with clock(NOW + dt.timedelta(minutes=10)):
        back = client.get(url, HTTP_IF_MODIFIED_SINCE=changed["Last-Modified"])
        assert back.status_code == 200 and back["ETag"] == etag
        assert back["Last-Modified"] != modified

    # Withdrawn: gone, validators or not.
    meeting_withdraw(meeting=w.past)
    assert client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 404
    assert "Mtg-Past-Public" not in _text(client.get(_u(FEED, "ACCMSME")))


def test_the_sitemap_and_robots_list_only_public_pages(w):
    with clock(NOW):
        sitemap = Client().get(_u("public:sitemap"))
        robots = Client().get(_u("public:robots_txt")).content.decode()
    assert sitemap["Content-Type"].startswith("application/xml")
    text = sitemap.content.decode()
    assert _u("public:meeting", w.past.pk) in text and _u("public:meeting", w.upcoming.pk) in text
    assert _u("public:meeting", w.private.pk) not in text and "/public/bodies/TFX/" not in text
    assert "Disallow: /\n" in robots and "Allow: /public/" in robots and "sitemap.xml" in robots


def test_only_reads_are_answered(w):
    assert Client().post(_u("public:meeting", w.past.pk)).status_code == 405
    assert Client().head(_u("public:meeting", w.past.pk)).status_code == 200


# --- A fixed number of queries whatever the size -------------------------------------------------------


def _grow(body, n: int, start: dt.datetime) -> list[Meeting]:
    """``n`` more public meetings of ``body``, each with a circulated agenda of three items, three papers
    (one withheld) and two decisions under an adopted report."""
    made = []
    for i in range(n):
        m = meeting_row(
            body, start=start + dt.timedelta(days=20 * i), end=start + dt.timedelta(days=20 * i, hours=8),
            host=state("VN"), title=f"Grown {start:%Y} {i}", is_public=True, status="held",
        )  # fmt: skip
        items = [AgendaItem.objects.create(meeting=m, title=f"Item {i}.{k}", position=k) for k in range(3)]
        for k, level in enumerate((0, 0, 1)):
            items[k].documents.add(document_row(m, body, f"Paper {i}.{k}", level))
        AgendaVersion.objects.create(meeting=m, number=1, items=agenda_snapshot(meeting=m))
        for k in range(2):
            Decision.objects.create(
                meeting=m, agenda_item=items[k], kind="agreed", text=f"D{k}", is_public=True
            )
        _adopted_report(m, (start + dt.timedelta(days=20 * i + 1)).date())
        made.append(m)
    return made


def _queries(url: str) -> int:
    client = Client()
    client.get(url)  # the zone labels, read once per process
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, url
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_data(media):
    body = body_make("ACCMSME")
    with clock(NOW):
        small = _grow(body, 2, at(2024, 1, 10)) + _grow(body, 2, at(2026, 6, 10))
        urls = lambda m: [  # noqa: E731
            _u("public:index"), _u("public:body", "ACCMSME"), _u("public:meeting", m.pk),
            _u("public:agenda", m.pk), _u("public:sitemap"),
        ]  # fmt: skip
        before = [_queries(u) for u in urls(small[0])]
        big = _grow(body, 8, at(2022, 1, 10)) + _grow(body, 8, at(2027, 1, 10))
        after = [_queries(u) for u in urls(big[0])]
    assert before == after, (before, after)
    assert max(after) <= 6, after
