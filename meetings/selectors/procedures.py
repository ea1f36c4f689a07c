"""Read queries about written procedures: the list and the page of one (fixed query counts), and the
procedures decided between two meetings, which the next agenda carries under matters arising."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from governance.models import Body, MemberState
from governance.permissions import VIEW, body_ids_with
from meetings.models import ProcedureAnswer, WrittenProcedure

DECIDED = (WrittenProcedure.Status.ADOPTED, WrittenProcedure.Status.NOT_ADOPTED)


def procedures_visible(user) -> QuerySet[WrittenProcedure]:
    """Procedures of the bodies the user may see (all for the Secretariat)."""
    return procedures_visible_by(WrittenProcedure.objects.select_related("body"), body_ids_with(user, VIEW))


def procedures_visible_by(
    qs: QuerySet[WrittenProcedure], body_ids: list[int] | None
) -> QuerySet[WrittenProcedure]:
    """``procedures_visible`` from the user's viewable bodies (None for the Secretariat: all), for a query
    compiled once per process (``governance.prepared``)."""
    return qs if body_ids is None else qs.filter(body_id__any_of=body_ids)


def procedures_decided_between(
    *, body: Body, since: dt.datetime, until: dt.datetime
) -> list[WrittenProcedure]:
    """Procedures of ``body`` closed with an outcome in [since, until): the next meeting's matters arising."""
    return list(
        WrittenProcedure.objects.filter(
            body=body, status__in=DECIDED, closed_at__gte=since, closed_at__lt=until
        ).order_by("closed_at", "pk")
    )


@dataclass
class StateRow:
    state: MemberState
    answer: ProcedureAnswer | None = None


@dataclass
class ProcedurePage:
    procedure: WrittenProcedure
    rows: list[StateRow] = field(default_factory=list)
    papers: list = field(default_factory=list)


def procedure_page(*, user, pk: int) -> ProcedurePage | None:
    """A procedure with one row per answering state and its answer, or None if the user may not see it."""
    p = (
        procedures_visible(user)
        .prefetch_related(
            Prefetch(
                "answers", queryset=ProcedureAnswer.objects.select_related("member_state", "answered_by")
            ),
            "papers",
        )
        .filter(pk=pk)
        .first()
    )
    if p is None:
        return None
    answers = {a.member_state_id: a for a in p.answers.all()}
    states = MemberState.objects.members_on(p.opened_on).order_by("short_name")
    return ProcedurePage(
        procedure=p, rows=[StateRow(s, answers.get(s.pk)) for s in states], papers=list(p.papers.all())
    )
