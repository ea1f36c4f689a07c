"""Which documents a user may read, and a meeting's documents as its pages list them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F, QuerySet

from governance.models import Body
from governance.permissions import has_body_right
from governance.prepared import Prepared
from meetings.models import Document, Meeting
from meetings.permissions import document_visible, visible_documents


def document_level(user, body: Body | int) -> int:
    """The highest classification the user may read on the body's documents (Document.Classification)."""
    if has_body_right(user, "read_confidential", body):
        return Document.Classification.CONFIDENTIAL
    if has_body_right(user, "read_restricted", body):
        return Document.Classification.RESTRICTED
    return Document.Classification.PUBLIC


def readable_documents(user) -> QuerySet[Document]:
    """Documents the user may see and download, filtered in SQL (``governance.permissions`` decides)."""
    return visible_documents(user, Document.objects.all())


def meeting_documents(meeting: Meeting, user) -> tuple[list[Document], dict[int, list[Document]]]:
    """The meeting's documents the user may open, and agenda item id -> those of them linked to it (in the
    order the agenda lists them), in one query: a document comes once per agenda item it is linked to.

    A meeting's own documents are few, so all are read and ``document_visible`` keeps the user's, with the
    rights already read for the request, rather than compile that rule into the query."""
    docs: dict[int, Document] = {}
    links: list[tuple[int, int]] = []
    for d in _WITH_ITEMS(meeting_id=meeting.pk):
        if d.pk not in docs:
            d.meeting = meeting  # already loaded: no join to the wide meeting row per document
            docs[d.pk] = d
        if d.item_meeting_id == meeting.pk:
            links.append((d.item_id, d.pk))
    visible = {pk: d for pk, d in docs.items() if document_visible(user, d)}
    by_item: dict[int, list[Document]] = {}
    for item_id, doc_id in links:
        if doc_id in visible:
            by_item.setdefault(item_id, []).append(visible[doc_id])
    for linked in by_item.values():
        linked.sort(key=lambda d: (d.title, -d.version))
    return list(visible.values()), by_item


# Read on every meeting page: compiled once per process (governance.prepared).
_WITH_ITEMS = Prepared(
    lambda meeting_id: (
        Document.objects.filter(meeting_id=meeting_id)
        .annotate(item_id=F("agenda_items__id"), item_meeting_id=F("agenda_items__meeting_id"))
        .order_by("kind", "title", "-version")  # the Meta ordering less the meeting's start: no join
    )
)


@dataclass
class DocumentGroup:
    """The versions of one document title, newest first."""

    latest: Document
    older: list[Document]


def group_documents(docs: Sequence[Document]) -> list[DocumentGroup]:
    groups: dict[tuple, DocumentGroup] = {}
    for d in sorted(docs, key=lambda d: (d.kind, d.title, -d.version)):
        key = (d.kind, d.title)
        if key in groups:
            groups[key].older.append(d)
        else:
            groups[key] = DocumentGroup(latest=d, older=[])
    return list(groups.values())
