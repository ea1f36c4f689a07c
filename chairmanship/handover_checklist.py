"""Where a handover's checklist comes from. Chairmanship knows the handover, not what must be passed on
(open action items, reports, meetings, documents): the apps that hold those register a source from their
``AppConfig.ready()``, and ``handover_checklist_refresh`` asks every source in registration order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from chairmanship.models import Handover


class ChecklistEntry(NamedTuple):
    kind: str  # a ``HandoverItem.Kind``
    ref_id: int  # the primary key of the thing passed on
    label: str


ChecklistSource = Callable[[Handover], Iterable[ChecklistEntry]]

CHECKLIST_SOURCES: list[ChecklistSource] = []


def register_checklist_source(source: ChecklistSource) -> None:
    if source not in CHECKLIST_SOURCES:
        CHECKLIST_SOURCES.append(source)


def checklist_entries(handover: Handover) -> list[ChecklistEntry]:
    return [entry for source in CHECKLIST_SOURCES for entry in source(handover)]
