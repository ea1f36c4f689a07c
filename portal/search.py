"""Search across what the reader may see: meetings, agenda items, decisions, action items and document
titles. PostgreSQL's full-text search (``django.contrib.postgres``: stemmed, ranked) in production; on
SQLite a plain case-insensitive "contains" on the same fields, so ``make run`` on SQLite searches too.
Each kind is cut to the reader's rights first (the same rules as the pages), then matched: one query per
kind, whatever the number of hits."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.shortcuts import render
from django.views.decorators.http import require_safe

from meetings.models import ActionItem, AgendaItem, Decision, Document, Meeting
from meetings.permissions import on_visible_meetings, visible_documents
from meetings.selectors import visible_meetings

PER_KIND = 20
MIN_LENGTH = 2
CONFIG = "english"  # the record is written in English: "meetings" finds "meeting", "digitalised" "digitalise"

# Per kind: the fields searched (the first weighted A, the rest B) and the one matched "as typed". On
# PostgreSQL each kind has a GIN index on exactly this vector and a trigram index on UPPER(that field)
# (meetings/migrations/0023_search_indexes.py, whose copy of this table must stay the same:
# tests/portal/test_search_index.py asks the planner).
SEARCHED: dict[type, tuple[tuple[str, ...], str]] = {
    Meeting: (("title", "venue", "city"), "title"),
    AgendaItem: (("title", "description", "minutes"), "title"),
    Decision: (("text",), "text"),
    ActionItem: (("title", "progress_note"), "title"),
    Document: (("title",), "title"),
}


@dataclass
class SearchResults:
    q: str
    meetings: list[Meeting] = field(default_factory=list)
    agenda_items: list[AgendaItem] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    too_short: bool = False

    @property
    def count(self) -> int:
        return sum(
            len(x)
            for x in (self.meetings, self.agenda_items, self.decisions, self.action_items, self.documents)
        )


def full_text() -> bool:
    return connection.vendor == "postgresql"


def match(qs: QuerySet, q: str) -> QuerySet:
    """Rows of ``qs`` whose searched fields (``SEARCHED``) match ``q``, best first. On PostgreSQL: full-text
    on all the fields, weighted to the title, or the title containing the text as typed (a part of a word,
    an acronym); each half of that OR is an index scan."""
    fields, title = SEARCHED[qs.model]
    if full_text():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector(fields[0], weight="A", config=CONFIG)
        for name in fields[1:]:
            vector += SearchVector(name, weight="B", config=CONFIG)
        query = SearchQuery(q, search_type="websearch", config=CONFIG)
        return (
            qs.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(Q(search=query) | Q(**{f"{title}__icontains": q}))
            .order_by("-rank", "-pk")
        )
    cond = Q()
    for word in q.split():
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        cond &= any_field
    return qs.filter(cond).order_by("-pk")


def search(*, user, q: str, per_kind: int = PER_KIND) -> SearchResults:
    """What the reader may see that matches ``q``, up to ``per_kind`` of each kind."""
    q = " ".join((q or "").split())[:200]
    results = SearchResults(q=q)
    if len(q) < MIN_LENGTH:
        results.too_short = bool(q)
        return results
    meetings = visible_meetings(user).select_related("body")
    results.meetings = list(match(meetings, q)[:per_kind])
    items = on_visible_meetings(user, AgendaItem.objects.all()).annotate(meeting_title=F("meeting__title"))
    results.agenda_items = list(match(items, q)[:per_kind])
    decisions = on_visible_meetings(user, Decision.objects.all()).annotate(
        meeting_title=F("meeting__title"), item_title=F("agenda_item__title")
    )
    results.decisions = list(match(decisions, q)[:per_kind])
    actions = on_visible_meetings(user, ActionItem.objects.all()).annotate(meeting_title=F("meeting__title"))
    results.action_items = list(match(actions, q)[:per_kind])
    docs = visible_documents(user, Document.objects.all()).annotate(
        meeting_title=F("meeting__title"), body_acronym=F("body__acronym")
    )
    results.documents = list(match(docs, q)[:per_kind])
    return results


@login_required
@require_safe
def search_page(request):
    results = search(user=request.user, q=request.GET.get("q", ""))
    return render(request, "portal/search.html", {"results": results, "full_text": full_text()})
