"""What chairmanship tells governance, through its registries (called from ``ChairmanshipConfig.ready()``):
a chair term running or to come keeps its chair's login active, and a body's and a handover's audit trails
show their terms, handovers and checklist items."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, QuerySet

from chairmanship.models import ChairTerm, Handover, HandoverItem
from governance.account_registry import register_active_reason
from governance.models import Body
from governance.related_history import register_related_history


def chair_terms_keeping_login(on: dt.date) -> QuerySet:
    """The user's (``OuterRef("pk")``) chair terms still running or to come on ``on``."""
    return ChairTerm.objects.filter(chair_person__user=OuterRef("pk"), end_date__gte=on)


def register() -> None:
    register_active_reason(chair_terms_keeping_login)
    register_related_history(parent=Body, child=ChairTerm, fk="body")
    register_related_history(parent=Body, child=Handover, fk="body")
    register_related_history(parent=Handover, child=HandoverItem, fk="handover")
