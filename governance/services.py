"""Rules of the governance domain, callable without HTTP."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from governance.models import Body, Membership, ReportingLine

# Lines that carry outcomes upward; a cycle among them would make a body report to itself.
HIERARCHICAL_KINDS = (ReportingLine.Kind.REPORTS_TO, ReportingLine.Kind.ADVISES)
FAR_FUTURE = dt.date(9999, 12, 31)
FAR_PAST = dt.date(1, 1, 1)


def _overlaps(a_from, a_until, b_from, b_until) -> bool:
    return (a_from or FAR_PAST) <= (b_until or FAR_FUTURE) and (b_from or FAR_PAST) <= (a_until or FAR_FUTURE)


def reporting_line_check_cycle(*, line: ReportingLine) -> None:
    """Refuse a line that closes a loop with lines valid at the same time (raises ``ValidationError``)."""
    if line.kind not in HIERARCHICAL_KINDS:
        return
    if line.from_body_id == line.to_body_id:
        raise ValidationError({"to_body": "A body cannot report to itself."})
    others = ReportingLine.objects.filter(kind__in=HIERARCHICAL_KINDS).exclude(pk=line.pk)
    edges: dict[int, set[int]] = {}
    for other in others.only("from_body_id", "to_body_id", "valid_from", "valid_until"):
        if _overlaps(line.valid_from, line.valid_until, other.valid_from, other.valid_until):
            edges.setdefault(other.from_body_id, set()).add(other.to_body_id)
    # Walk upward from the new line's target: reaching its source closes a cycle.
    seen, stack = set(), [line.to_body_id]
    while stack:
        node = stack.pop()
        if node == line.from_body_id:
            names = dict(
                Body.objects.filter(pk__in=[line.from_body_id, line.to_body_id]).values_list("pk", "acronym")
            )
            raise ValidationError(
                {
                    "to_body": f"{names[line.to_body_id]} already reports, directly or through others, to "
                    f"{names[line.from_body_id]}: this line would make a cycle."
                }
            )
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))


def reporting_chain(body: Body, *, on: dt.date | None = None) -> list[Body]:
    """The body and every body above it by "reports to" lines valid on ``on``: ACCMSME → SEOM → … → Summit."""
    on = on or dt.date.today()
    lines = (
        ReportingLine.objects.filter(kind=ReportingLine.Kind.REPORTS_TO)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("to_body")
        .order_by("-valid_from")
    )
    up: dict[int, Body] = {}
    for line in lines:
        up.setdefault(line.from_body_id, line.to_body)
    chain, seen = [body], {body.pk}
    while chain[-1].pk in up and up[chain[-1].pk].pk not in seen:
        nxt = up[chain[-1].pk]
        chain.append(nxt)
        seen.add(nxt.pk)
    return chain


def membership_check_head(*, membership: Membership) -> None:
    """At most one head of delegation per state per body at any moment (the database says so too)."""
    if membership.role != Membership.Role.HEAD_OF_DELEGATION or not membership.member_state_id:
        return
    if membership.end_date and membership.start_date and membership.end_date < membership.start_date:
        raise ValidationError({"end_date": "The membership cannot end before it starts."})
    clash = (
        Membership.objects.filter(
            body_id=membership.body_id,
            member_state_id=membership.member_state_id,
            role=Membership.Role.HEAD_OF_DELEGATION,
            start_date__lte=membership.end_date or FAR_FUTURE,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=membership.start_date))
        .exclude(pk=membership.pk)
        .select_related("person")
        .first()
    )
    if clash:
        raise ValidationError(
            {
                "role": f"{clash.person} is already head of delegation of {membership.member_state} on "
                f"{membership.body} from {clash.start_date:%d %b %Y}"
                + (f" to {clash.end_date:%d %b %Y}." if clash.end_date else " with no end date.")
            }
        )


@transaction.atomic
def membership_save(*, membership: Membership) -> Membership:
    """Validate and store a membership, then bring the person's object rights in line."""
    membership.full_clean()
    membership.save()
    return membership


def reporting_line_save(*, line: ReportingLine) -> ReportingLine:
    with transaction.atomic():
        line.full_clean()
        line.save()
    return line
