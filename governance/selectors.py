"""Read queries for the governance pages, each in a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q

from governance.models import HIERARCHICAL_KINDS, Body, Membership, ReportingLine


def lines_valid_on(on: dt.date):
    return (
        ReportingLine.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("from_body", "to_body")
    )


@dataclass
class ChartBox:
    body: Body
    x: int
    y: int
    w: int
    h: int


@dataclass
class ChartEdge:
    x1: int
    y1: int
    x2: int
    y2: int
    kind: str
    label: str


@dataclass
class Chart:
    width: int
    height: int
    boxes: list[ChartBox] = field(default_factory=list)
    edges: list[ChartEdge] = field(default_factory=list)


BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 190, 54, 30, 56, 20


def governance_chart(*, on: dt.date) -> Chart:
    """Bodies in rows by how far below the top they report, with their lines: two queries."""
    bodies = list(Body.objects.filter(is_active=True).order_by("acronym"))
    lines = [ln for ln in lines_valid_on(on) if ln.from_body.is_active and ln.to_body.is_active]
    up: dict[int, list[int]] = {}
    for ln in lines:
        if ln.kind in HIERARCHICAL_KINDS:
            up.setdefault(ln.from_body_id, []).append(ln.to_body_id)

    level: dict[int, int] = {}

    def depth(body_id: int, trail: frozenset = frozenset()) -> int:
        if body_id in level:
            return level[body_id]
        parents = [p for p in up.get(body_id, []) if p not in trail]
        d = 0 if not parents else 1 + min(depth(p, trail | {body_id}) for p in parents)
        level[body_id] = d
        return d

    rows: dict[int, list[Body]] = {}
    for b in bodies:
        rows.setdefault(depth(b.pk), []).append(b)
    widest = max((len(r) for r in rows.values()), default=1)
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X
    chart = Chart(width=width, height=MARGIN * 2 + len(rows) * (BOX_H + GAP_Y) - GAP_Y)
    pos: dict[int, ChartBox] = {}
    for r, row_index in enumerate(sorted(rows)):
        row = rows[row_index]
        row_w = len(row) * BOX_W + (len(row) - 1) * GAP_X
        x0 = (width - row_w) // 2
        for i, b in enumerate(row):
            box = ChartBox(b, x0 + i * (BOX_W + GAP_X), MARGIN + r * (BOX_H + GAP_Y), BOX_W, BOX_H)
            pos[b.pk] = box
            chart.boxes.append(box)
    for ln in lines:
        a, b = pos.get(ln.from_body_id), pos.get(ln.to_body_id)
        if not a or not b:
            continue
        if a.y > b.y:  # the usual case: from below to above
            edge = ChartEdge(a.x + a.w // 2, a.y, b.x + b.w // 2, b.y + b.h, ln.kind, ln.get_kind_display())
        elif a.y < b.y:
            edge = ChartEdge(a.x + a.w // 2, a.y + a.h, b.x + b.w // 2, b.y, ln.kind, ln.get_kind_display())
        else:
            left, right = (a, b) if a.x < b.x else (b, a)
            y = a.y + a.h // 2
            x1, x2 = (left.x + left.w, right.x) if left is a else (right.x, left.x + left.w)
            edge = ChartEdge(x1, y, x2, y, ln.kind, ln.get_kind_display())
        chart.edges.append(edge)
    return chart


@dataclass
class BodyPage:
    body: Body
    members_by_state: list[tuple[str, list[Membership]]]
    lines_up: list[ReportingLine]
    lines_down: list[ReportingLine]
    on: dt.date | None = None
    chain: list[Body] = field(default_factory=list)  # the body and those above it by "reports to", on ``on``


def body_page(*, acronym: str, on: dt.date) -> BodyPage:
    """The body with its current members grouped by state and its lines: three queries."""
    current = Membership.objects.filter(start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    body = Body.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=current.select_related("person", "member_state", "organisation").order_by(
                "member_state__short_name", "organisation__name", "role", "person__full_name"
            ),
            to_attr="current_memberships",
        ),
        "goals__plan",
    ).get(acronym=acronym)
    grouped: dict[str, list[Membership]] = {}
    for m in body.current_memberships:
        grouped.setdefault(str(m.member_state or m.organisation), []).append(m)
    lines = list(lines_valid_on(on).filter(Q(from_body=body) | Q(to_body=body)))
    return BodyPage(
        body=body,
        members_by_state=sorted(grouped.items()),
        lines_up=[ln for ln in lines if ln.from_body_id == body.pk],
        lines_down=[ln for ln in lines if ln.to_body_id == body.pk],
        on=on,
        chain=reporting_chain_on(body=body, on=on),
    )


def reporting_chain_on(*, body: Body, on: dt.date) -> list[Body]:
    """The body and every body above it by "reports to" lines valid on ``on``: one query whatever the
    chain's length (the lines are few; the walk is in memory)."""
    up: dict[int, Body] = {}
    lines = (
        lines_valid_on(on)
        .filter(kind=ReportingLine.Kind.REPORTS_TO)
        .order_by(F("valid_from").desc(nulls_last=True), "pk")
    )
    for line in lines:
        up.setdefault(line.from_body_id, line.to_body)
    chain, seen = [body], {body.pk}
    while chain[-1].pk in up and up[chain[-1].pk].pk not in seen:
        chain.append(up[chain[-1].pk])
        seen.add(chain[-1].pk)
    return chain
