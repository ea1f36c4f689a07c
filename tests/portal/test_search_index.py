"""On PostgreSQL the search is served by its indexes (meetings/migrations/0023_search_indexes.py): for
each kind, the planner answers both halves of the match (full text, and the title as typed) from a GIN
index, and what is found is what the reader may see, as without them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from meetings import services
from meetings.models import Meeting
from portal.search import SEARCHED, match, search
from tests.world.build import client_as
from tests.world.meetings import meeting_schedule

INDEX_PREFIX = {"Meeting": "meeting", "AgendaItem": "agendaitem", "Decision": "decision"}
INDEX_PREFIX |= {"ActionItem": "actionitem", "Document": "document"}


def no_seq_scans() -> None:
    # The scene's tables are small, where a sequential scan is cheapest: forbid it for this transaction, so
    # the plan shows which indexes can answer the query at all (as they do on a large table).
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("model", list(SEARCHED), ids=lambda m: m.__name__)
def test_each_kind_is_matched_through_its_two_indexes(require_postgres, model):
    no_seq_scans()
    plan = match(model.objects.all(), "digital roadmap").explain()
    prefix = INDEX_PREFIX[model.__name__]
    assert f"{prefix}_search_fts" in plan and f"{prefix}_search_trgm" in plan, plan
    assert "Seq Scan" not in plan, plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_indexed_search_finds_what_the_reader_may_see(require_postgres, world):
    m = meeting_schedule(world, confirm=True)
    Meeting.objects.filter(pk=m.pk).update(title="21st ACCMSME Meeting on digitalisation")
    services.agenda_item_add(meeting=m, title="MSME digitalisation roadmap")
    no_seq_scans()
    plan = match(Meeting.objects.all(), "digitalised").explain()
    assert "meeting_search_fts" in plan
    found = search(user=world.sec, q="digitalised")  # stemmed: "digitalisation"
    assert [x.pk for x in found.meetings] == [m.pk]
    assert [x.title for x in found.agenda_items] == ["MSME digitalisation roadmap"]
    assert [x.pk for x in search(user=world.sec, q="italisati").meetings] == [m.pk]  # part of a word
    assert search(user=world.outsider, q="digitalised").count == 0  # rights first, as before
    page = client_as(world.delegate_ph).get(reverse("portal:search"), {"q": "roadmap"})
    assert page.status_code == 200 and "MSME digitalisation roadmap" in page.content.decode()
