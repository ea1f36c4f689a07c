"""No title of an object the caller may not see comes back through a side door: an error message, a
related-object field, a linked meeting, the meeting's report. A walk over every id as each role checks
every API answer and meeting page against the titles that role may not see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from meetings.models import Document, Meeting
from meetings.reports import report_html
from meetings.selectors.documents import readable_documents
from meetings.selectors.meetings import visible_meetings
from tests.world.build import api_as, client_as, fresh

pytestmark = pytest.mark.django_db

ROLES = ("secretariat", "chair", "head", "delegate", "observer", "seom")
COLLECTIONS = (
    "meetings",
    "agenda-items",
    "agenda-versions",
    "documents",
    "invitations",
    "attendance",
    "decisions",
    "action-items",
    "reports",
    "submissions",
)


def hidden_titles(user) -> set[str]:
    """Titles of meetings and documents the user may not see (the scene's titles are unique markers)."""
    user = fresh(user)
    meetings = set(Meeting.objects.exclude(pk__in=visible_meetings(user)).values_list("title", flat=True))
    documents = set(Document.objects.exclude(pk__in=readable_documents(user)).values_list("title", flat=True))
    return meetings | documents


@pytest.fixture
def linked(roles):
    """The private ACCMSME meeting prepares for the TFX meeting, which most roles may not see."""
    Meeting.objects.filter(pk=roles.m_acc.pk).update(prepares_for=roles.m_other)
    return roles


@pytest.mark.parametrize("role", ROLES)
def test_walking_every_id_shows_no_hidden_title(linked, role):
    roles = linked
    user = getattr(roles, role)
    hidden = hidden_titles(user)
    assert hidden or role == "secretariat"  # every other role misses something in this scene
    api = api_as(user)
    page = client_as(user)
    seen = 0
    max_id = max(Meeting.objects.order_by("-pk").values_list("pk", flat=True)[:1]) + 5
    for collection in COLLECTIONS:
        answers = [api.get(f"/api/v1/{collection}/", {"limit": 500})]
        answers += [api.get(f"/api/v1/{collection}/{pk}/") for pk in range(1, max_id)]
        for r in answers:
            seen += 1
            assert r.status_code < 500
            text = r.content.decode()
            leaked = {t for t in hidden if t in text}
            assert not leaked, (collection, r.request["PATH_INFO"], leaked)
    for pk in range(1, max_id):
        for url in (f"/meetings/{pk}/", f"/meetings/{pk}/report/view/"):
            r = page.get(url)
            assert r.status_code < 500
            leaked = {t for t in hidden if t in r.content.decode()}
            assert not leaked, (url, leaked)
    assert seen >= len(COLLECTIONS) * max_id


def test_linking_a_document_one_may_not_see_names_nothing(roles):
    """The chair manages ACCMSME but may not read the TFX paper: linking it gets 'does not exist', never
    its title; a paper of another ACCMSME meeting is named by id only."""
    chair = api_as(roles.chair)
    r = chair.patch(
        f"/api/v1/agenda-items/{roles.item.pk}/", {"documents": [roles.doc_other.pk]}, format="json"
    )
    assert r.status_code == 400
    assert "Doc-TFX" not in r.content.decode()
    assert "documents" in r.json()
    r = chair.patch(
        f"/api/v1/agenda-items/{roles.item.pk}/", {"documents": [roles.doc_pub_public.pk]}, format="json"
    )
    assert r.status_code == 400
    assert f"#{roles.doc_pub_public.pk}" in str(r.json()["documents"])
    assert "Doc-PUB-public" not in r.content.decode()


def test_a_linked_meeting_shows_only_to_those_who_may_see_it(linked):
    roles = linked
    r = client_as(roles.delegate).get(f"/meetings/{roles.m_acc.pk}/")
    assert r.status_code == 200
    assert "Mtg-TFX" not in r.content.decode()
    assert "Prepares the" not in r.content.decode()
    r = client_as(roles.secretariat).get(f"/meetings/{roles.m_acc.pk}/")
    assert "Mtg-TFX" in r.content.decode()


def test_the_report_lists_no_confidential_paper(roles):
    html = report_html(meeting=roles.m_acc, title="Report", now=timezone.make_aware(dt.datetime(2090, 6, 1)))
    assert "Doc-ACC-restricted" in html
    assert "Doc-ACC-confidential" not in html
