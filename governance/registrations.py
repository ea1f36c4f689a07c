"""Governance's own entries in its registries (called from ``GovernanceConfig.ready()``): a body's trail shows
its memberships and its reporting lines, a person's their memberships."""

from __future__ import annotations

from governance.models import Body, Membership, Person, ReportingLine
from governance.related_history import register_related_history


def register() -> None:
    register_related_history(parent=Body, child=Membership, fk="body")
    register_related_history(parent=Body, child=ReportingLine, fk="from_body")
    register_related_history(parent=Person, child=Membership, fk="person")
