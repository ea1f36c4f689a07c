"""Read queries for the governance pages, each in a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from governance.models import HIERARCHICAL_KINDS, Body, Membership, ReportingLine, StrategicGoal
from governance.prepared import Prepared


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


@dataclass(frozen=True)
class LineShown:
    """A reporting line as the body page prints it."""

    kind: str
    kind_label: str  # "Reports to"
    from_acronym: str
    to_acronym: str


@dataclass
class BodyPage:
    body: Body
    members_by_state: list[tuple[str, list[tuple[str, str]]]]  # (state, [(person's name, role)])
    lines_up: list[LineShown]
    lines_down: list[LineShown]
    goals: list[tuple[str, str]] = field(default_factory=list)  # (plan's short name, goal code)
    on: dt.date | None = None
    chain: list[Body] = field(default_factory=list)  # the body and those above it by "reports to", on ``on``


# The body page's reads, compiled once per process (governance.prepared): the page is all fixed reads.
_BODY_BY_ACRONYM = Prepared(lambda acronym: Body.objects.filter(acronym=acronym))
# "AEC SP 2", in the goals' own order (by plan, then code): one query, no goal or plan models.
_GOALS = Prepared(
    lambda body_id: StrategicGoal.objects.filter(bodies=body_id).values_list("plan__short_name", "code")
)
# Names only, as plain values: the page prints a name and a role per member, not four rows' models.
_MEMBERS = Prepared(
    lambda body_id, on: (
        Membership.objects.filter(body_id=body_id, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .order_by("member_state__short_name", "organisation__name", "role", "person__full_name")
        .values_list(
            "person__full_name",
            "role",
            "member_state_id",
            "member_state__short_name",
            "organisation_id",
            "organisation__acronym",
            "organisation__name",
        )
    )
)


def _lines_on(on: dt.date):
    # The model's order, as the page listed them.
    return lines_valid_on(on).order_by("from_body__acronym", "to_body__acronym").values_list(*_LINE_VALUES)


_LINES_ON = Prepared(_lines_on)


def body_by_acronym(acronym: str) -> Body | None:
    """The body of a page's address (its columns all loaded), from SQL compiled once per process."""
    found = _BODY_BY_ACRONYM(acronym=acronym)
    return found[0] if found else None


def body_page(*, acronym: str, on: dt.date) -> BodyPage:
    """The body with its current members grouped by state and its lines, in a fixed number of queries."""
    body = body_by_acronym(acronym)
    if body is None:
        raise Body.DoesNotExist(f"No body {acronym!r}")
    goals = _GOALS(body_id=body.pk)
    members = _MEMBERS(body_id=body.pk, on=on)
    grouped: dict[str, list[tuple[str, str]]] = {}
    for name, role, state_id, state, org_id, org_acronym, org_name in members:
        # As str(member state or organisation) says it ("None" for neither, as it always did).
        key = state if state_id is not None else (org_acronym or org_name) if org_id is not None else "None"
        grouped.setdefault(key, []).append((name, role))
    # Every line valid on the day, in one query: the body's own lines and, walked in memory, its chain.
    lines = _LINES_ON(on=on)
    kinds = dict(ReportingLine.Kind.choices)
    shown = {
        row[0]: LineShown(
            kind=row[3], kind_label=str(kinds.get(row[3], row[3])), from_acronym=row[5], to_acronym=row[6]
        )
        for row in lines
    }
    return BodyPage(
        body=body,
        members_by_state=sorted(grouped.items()),
        goals=goals,
        lines_up=[shown[row[0]] for row in lines if row[1] == body.pk],
        lines_down=[shown[row[0]] for row in lines if row[2] == body.pk],
        on=on,
        chain=_chain(body, lines, db=Body.objects.db),
    )


# (pk, from id, to id, kind, valid from, from acronym, to acronym) of a line.
_LINE_VALUES = (
    "pk",
    "from_body_id",
    "to_body_id",
    "kind",
    "valid_from",
    "from_body__acronym",
    "to_body__acronym",
)


def _chain(body: Body, lines: list[tuple], *, db: str) -> list[Body]:
    """The walk up "reports to" lines (rows of ``_LINE_VALUES``): from each body, the line valid from the
    latest day (one with no start last), the lowest key first among equals, as ``reporting_chain_on``'s
    query orders them. The bodies above carry their key and acronym only."""

    def priority(row: tuple) -> tuple:
        valid_from = row[4]
        return (valid_from is None, -valid_from.toordinal() if valid_from else 0, row[0])

    up: dict[int, tuple[int, str]] = {}
    for row in sorted((r for r in lines if r[3] == ReportingLine.Kind.REPORTS_TO), key=priority):
        up.setdefault(row[1], (row[2], row[6]))
    chain, seen = [body], {body.pk}
    while chain[-1].pk in up and up[chain[-1].pk][0] not in seen:
        pk, acronym = up[chain[-1].pk]
        chain.append(Body.from_db(db, ["id", "acronym"], [pk, acronym]))
        seen.add(pk)
    return chain


def reporting_chain_on(*, body: Body, on: dt.date) -> list[Body]:
    """The body and every body above it by "reports to" lines valid on ``on``: one query whatever the
    chain's length (the lines are few; the walk is in memory). The bodies above carry their key and
    acronym only (all the chain's readers show): any other field is deferred and would cost a query."""
    lines = lines_valid_on(on).filter(kind=ReportingLine.Kind.REPORTS_TO).values_list(*_LINE_VALUES)
    return _chain(body, list(lines), db=lines.db)
