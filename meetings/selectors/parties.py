"""How a list names the state, body and person a row points at (a presenter, an owner), annotated in
the query rather than built per row."""

from __future__ import annotations

from django.db.models import F

from meetings.models import ActionItem, AgendaItem


def party_names(role: str) -> dict[str, F]:
    """Annotations naming the state, body and person in a row's ``{role}_state``, ``{role}_body`` and
    ``{role}_person``: what a list prints of them, without the three objects."""
    return {
        f"{role}_state_name": F(f"{role}_state__short_name"),
        f"{role}_body_acronym": F(f"{role}_body__acronym"),
        f"{role}_person_name": F(f"{role}_person__full_name"),
    }


def party_label(row: AgendaItem | ActionItem, role: str, sep: str) -> str:
    """The names ``party_names(role)`` annotated, in that order, those that are set."""
    names = (
        getattr(row, f"{role}_state_name"),
        getattr(row, f"{role}_body_acronym"),
        getattr(row, f"{role}_person_name"),
    )
    return sep.join(n for n in names if n)
