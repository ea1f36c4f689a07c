"""The agenda as a numbered tree, and its circulated versions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Prefetch, QuerySet

from governance.prepared import Prepared
from meetings.models import AgendaItem, AgendaVersion, Document
from meetings.selectors.parties import party_label, party_names

MAX_AGENDA_DEPTH = 3  # 1, 1.1, 1.1.1


@dataclass
class NumberedItem:
    item: AgendaItem
    number: str
    depth: int  # 0 for a top-level item


def number_agenda(items: Iterable[AgendaItem]) -> list[NumberedItem]:
    """Items in reading order with their numbers (1, 1.1, 1.2, 2); a pure function over loaded items."""
    children: dict[int | None, list[AgendaItem]] = {}
    for it in items:
        children.setdefault(it.parent_id, []).append(it)
    for siblings in children.values():
        siblings.sort(key=lambda i: (i.position, i.pk or 0))
    out: list[NumberedItem] = []

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        for i, it in enumerate(children.get(parent_id, []), start=1):
            number = f"{prefix}{i}"
            out.append(NumberedItem(it, number, depth))
            walk(it.pk, f"{number}.", depth + 1)

    walk(None, "", 0)
    return out


def agenda_items_for(meeting_id: int) -> list[AgendaItem]:
    """The live agenda of a meeting with everything a page shows about each item, its documents included
    (two queries)."""
    # One meeting's items: the Meta ordering's meeting start is the same for all and costs a join.
    return list(
        AgendaItem.objects.filter(meeting_id=meeting_id)
        .select_related("presenter_state", "presenter_person", "presenter_body", "goal__plan")
        .prefetch_related(Prefetch("documents", queryset=Document.objects.order_by("title", "-version")))
        .order_by("parent_id", "position", "id")
    )


def agenda_items_named(meeting_id: int) -> list[AgendaItem]:
    """The live agenda for a page that prints the presenters and the goal of each item and nothing more of
    them: their names annotated (``presenter``, ``goal_plan``, ``goal_code``) in one query, rather than
    a state, a body, a person, a goal and a plan built per item."""
    items = _ITEMS_NAMED(meeting_id=meeting_id)
    for it in items:
        it.presenter = party_label(it, "presenter", ", ")  # as presenter_label says it
    return items


# The meeting page reads these on every request: compiled once per process (governance.prepared).
_ITEMS_NAMED = Prepared(
    lambda meeting_id: (
        AgendaItem.objects.filter(meeting_id=meeting_id)
        .annotate(
            **party_names("presenter"), goal_plan=F("goal__plan__short_name"), goal_code=F("goal__code")
        )
        .order_by("parent_id", "position", "id")
    )
)


def presenter_label(item: AgendaItem) -> str:
    parts = [str(p) for p in (item.presenter_state, item.presenter_body, item.presenter_person) if p]
    return ", ".join(parts)


def agenda_versions_for(meeting_id: int, *, with_items: bool = True) -> list[AgendaVersion]:
    """The circulated versions in order; without ``with_items``, not each one's copy of the agenda (for
    lists of links)."""
    return _VERSIONS(meeting_id=meeting_id, with_items=with_items)


def _versions(meeting_id: int, with_items: bool) -> QuerySet[AgendaVersion]:
    versions = AgendaVersion.objects.filter(meeting_id=meeting_id).order_by("number")
    return versions if with_items else versions.defer("items")


_VERSIONS = Prepared(_versions)
