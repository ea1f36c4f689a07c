"""Read queries about chairs that pages, the API and the rights engine need, each in a fixed number of
queries whatever the data size."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from chairmanship import rotation as rot
from chairmanship.models import ChairTerm, Handover, HandoverItem, RotationException, RotationRule
from governance.concurrency import version_column
from governance.models import Body, Membership, MemberState
from governance.permissions import (
    MANAGE,
    VIEW,
    body_ids_with,
    can_manage_handover,
    is_active_user,
    is_secretariat,
)
from governance.prepared import Prepared

CHAIRING_ROLES = (ChairTerm.Role.CHAIR, ChairTerm.Role.CO_CHAIR)


def chair_terms_on(*, on: dt.date):
    return ChairTerm.objects.filter(role__in=CHAIRING_ROLES, start_date__lte=on, end_date__gte=on)


def current_chairs(*, on: dt.date) -> dict[int, ChairTerm]:
    """Body id -> the chair term running on ``on`` (one query)."""
    return {
        t.body_id: t
        for t in chair_terms_on(on=on)
        .filter(role=ChairTerm.Role.CHAIR)
        .select_related("member_state", "chair_person")
    }


def current_chair(*, body_id: int, on: dt.date) -> ChairTerm | None:
    """The chair term of one body running on ``on``, as ``current_chairs(on=on).get(body_id)`` gives it
    (the last by the model's order), without loading every body's (one query)."""
    terms = _CHAIR_OF_BODY(body_id=body_id, on=on)
    return terms[-1] if terms else None


# Compiled once per process (governance.prepared): the body page and the timeline read it every time.
_CHAIR_OF_BODY = Prepared(
    lambda body_id, on: (
        chair_terms_on(on=on)
        .filter(body_id=body_id, role=ChairTerm.Role.CHAIR)
        .select_related("member_state", "chair_person")
        # What the body page and the timeline read of it: the names, the dates, the flags, the reason.
        .only(*CHAIR_SHOWN)
    )
)


CHAIR_SHOWN = (
    "body",
    "role",
    "start_date",
    "end_date",
    "is_provisional",
    "reason",
    "member_state__short_name",
    "chair_person__full_name",
)


def term_people_ids(term: ChairTerm) -> set[int]:
    """The people who hold a term's rights: its chair person and the state's heads of delegation on the
    body (any date: whoever may be concerned by the handover)."""
    people = set(
        Membership.objects.filter(
            body_id=term.body_id,
            member_state_id=term.member_state_id,
            role=Membership.Role.HEAD_OF_DELEGATION,
        ).values_list("person_id", flat=True)
    )
    if term.chair_person_id:
        people.add(term.chair_person_id)
    return people


# --- Rotation -------------------------------------------------------------------------------------------


def asean_chair_body() -> Body | None:
    """The body whose chair is the ASEAN Chair (the ASEAN Summit); bodies that follow it take its chairs."""
    return Body.objects.filter(kind=Body.Kind.SUMMIT).order_by("pk").first()


def rule_for(body: Body) -> rot.Rule | None:
    rows = _RULE(body_id=body.pk)
    if not rows:
        return None
    anchor_year, anchor_state, month, day, vice_chair_offset = rows[0]
    return rot.Rule(
        anchor_year=anchor_year,
        anchor_state=anchor_state,
        term_start_month=month,
        term_start_day=day,
        vice_chair_offset=vice_chair_offset,
    )


# The timeline's reads, compiled once per process (governance.prepared).
_RULE = Prepared(
    lambda body_id: (
        RotationRule.objects.filter(body_id=body_id)
        .values_list(
            "anchor_year",
            "anchor_state__short_name",
            "term_start_month",
            "term_start_day",
            "vice_chair_offset",
        )
        .order_by("pk")[:1]
    )  # as ``.first()`` reads it
)
_EXCEPTIONS = Prepared(
    lambda body_id: RotationException.objects.filter(body_id=body_id).values_list(
        "kind",
        "year",
        "member_state__short_name",
        "other_state__short_name",
        "other_year",
        "note",
        "certainty",
    )
)
_RECORDED = Prepared(
    lambda body_id: ChairTerm.objects.filter(body_id=body_id, is_provisional=False).values_list(
        "start_date", "end_date", "role", "member_state__short_name", "chair_person__full_name"
    )
)
_STATES = Prepared(lambda: MemberState.objects.values_list("short_name", "admitted_on", "left_on", "iso2"))


def rotation_states() -> list[rot.State]:
    return [
        rot.State(name, admitted, left)
        for name, admitted, left in MemberState.objects.values_list("short_name", "admitted_on", "left_on")
    ]


def rotation_exceptions(body: Body) -> list[rot.RuleException]:
    # Plain values: the states' names are all the rule reads (no model per row, no unread columns).
    rows = _EXCEPTIONS(body_id=body.pk)
    return [
        rot.RuleException(
            kind=rot.Kind(kind),
            year=year,
            state=state,
            other_state=other_state,
            other_year=other_year,
            note=note,
            to_confirm=certainty == "to_confirm",
        )
        for kind, year, state, other_state, other_year, note, certainty in rows
    ]


def recorded_terms(body: Body, rule: rot.Rule | None) -> list[rot.RecordedTerm]:
    """Terms on record (not provisional: a forecast written by ``rotation --apply`` is not a decision)."""
    dates = rule or rot.DEFAULT_RULE_DATES
    rows = _RECORDED(body_id=body.pk)
    return [
        rot.RecordedTerm(
            year=dates.year_of(start), state=state, start=start, end=end, role=role, person=person or ""
        )
        for start, end, role, state, person in rows
    ]


def rotation_for_body(
    *, body: Body, year_from: int, year_to: int, states: list[rot.State] | None = None
) -> rot.Rotation:
    """The body's chairs year by year (raises ``rotation.RotationError`` for a bad range)."""
    states = rotation_states() if states is None else states
    rule = rule_for(body)
    leader = None
    if body.chair_policy == Body.ChairPolicy.FOLLOWS_ASEAN_CHAIR:
        lead_body = asean_chair_body()
        if lead_body is not None and lead_body.pk != body.pk:
            lead_rule = rule_for(lead_body)
            leader = rot.compute_rotation(
                policy=rot.Policy.OWN_ROTATION
                if lead_body.chair_policy != Body.ChairPolicy.DESIGNATED
                else rot.Policy.DESIGNATED,
                year_from=year_from,
                year_to=year_to + 1,
                rule=lead_rule,
                states=states,
                exceptions=rotation_exceptions(lead_body),
                recorded=recorded_terms(lead_body, lead_rule),
            )
            rule = rule or lead_rule
    return rot.compute_rotation(
        policy=body.chair_policy,
        year_from=year_from,
        year_to=year_to,
        rule=rule,
        states=states,
        exceptions=rotation_exceptions(body),
        recorded=recorded_terms(body, rule),
        leader=leader,
    )


# --- The rotation timeline (drawn as server-rendered SVG) ----------------------------------------------

# One colour per member state, by alphabetical place; readable with white text.
PALETTE = [
    "#0b4f8a",
    "#b5334d",
    "#2e7d4f",
    "#8a5a00",
    "#5b3f9a",
    "#00727a",
    "#a1461c",
    "#3d5a80",
    "#7a2e6b",
    "#4d6b1d",
    "#9a3b3b",
    "#205e8f",
]
COL_W, LEFT, TOP, BAR_H, VICE_H, GAP = 88, 12, 30, 46, 18, 8


@dataclass
class TimelineBar:
    year: int
    chair: str
    code: str
    x: int
    y: int
    w: int
    h: int
    colour: str
    status: str
    reason: str
    dates: str
    to_confirm: bool
    is_vice: bool = False

    @property
    def text_x(self) -> int:
        return self.x + self.w // 2

    @property
    def text_y(self) -> int:
        return self.y + self.h // 2 + (0 if self.is_vice or self.h < 40 else -3)

    @property
    def short(self) -> str:
        """What fits in a year's bar: "Brunei" for Brunei Darussalam."""
        return self.chair if len(self.chair) <= 11 else self.chair.split()[0][:11]


@dataclass
class Timeline:
    body: Body
    year_from: int
    year_to: int
    width: int
    height: int
    bars: list[TimelineBar] = field(default_factory=list)
    ticks: list[tuple[int, int, int]] = field(default_factory=list)  # (x, label x, year)
    today_x: int | None = None
    years: list[rot.YearChair] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)


def _x(day: dt.date, origin: dt.date) -> int:
    return LEFT + round((day - origin).days / 365.25 * COL_W)


def rotation_timeline(*, body: Body, year_from: int, year_to: int, today: dt.date) -> Timeline:
    """Chairs of ``body`` from ``year_from`` to ``year_to`` as bars along a time axis: recorded terms solid,
    computed ones lighter, provisional ones hatched; a bar's tooltip gives its reason. Fixed query count."""
    # One read of the member states gives the rotation its states and the bars their codes.
    rows = _STATES()
    states = [rot.State(name, admitted, left) for name, admitted, left, _ in rows]
    codes = {name: iso2 for name, _, _, iso2 in rows}
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(rot.alphabetical(codes))}
    rotation = rotation_for_body(body=body, year_from=year_from, year_to=year_to, states=states)
    origin = rotation.years[0].start if rotation.years else dt.date(year_from, 1, 1)
    years = len(rotation.years)
    t = Timeline(
        body=body,
        year_from=year_from,
        year_to=year_to,
        width=LEFT * 2 + COL_W * years,
        height=TOP + BAR_H + GAP + VICE_H + 26,
        years=rotation.years,
        warnings=rotation.warnings,
    )
    for y in rotation.years:
        t.ticks.append((_x(y.start, origin), _x(y.start, origin) + COL_W // 2, y.year))
        x1, x2 = _x(y.start, origin), _x(y.end + dt.timedelta(days=1), origin)
        dates = f"{y.start:%d %b %Y} – {y.end:%d %b %Y}"
        names = y.chairs or ("",)
        h = BAR_H // len(names)
        for i, name in enumerate(names):
            t.bars.append(
                TimelineBar(
                    year=y.year,
                    chair=name or "no chair",
                    code=codes.get(name, "—"),
                    x=x1 + 2,
                    y=TOP + i * h,
                    w=max(x2 - x1 - 4, 4),
                    h=h - (2 if len(names) > 1 else 0),
                    colour=colour.get(name, "#c8cdd4"),
                    status=y.status.value,
                    reason=y.reason,
                    dates=dates,
                    to_confirm=y.to_confirm,
                )
            )
        if y.vice_chair:
            # A vice-chair admitted mid-term is drawn from its admission: nobody holds the post before.
            vx = _x(y.vice_chair_from or y.start, origin)
            t.bars.append(
                TimelineBar(
                    year=y.year,
                    chair=y.vice_chair,
                    code=codes.get(y.vice_chair, "—"),
                    x=vx + 2,
                    y=TOP + BAR_H + GAP,
                    w=max(x2 - vx - 4, 4),
                    h=VICE_H,
                    colour=colour.get(y.vice_chair, "#c8cdd4"),
                    status=y.status.value,
                    reason=y.vice_reason or f"Vice-chair {y.year}: next in line",
                    dates=f"{y.vice_chair_from or y.start:%d %b %Y} – {y.end:%d %b %Y}",
                    to_confirm=False,
                    is_vice=True,
                )
            )
    if rotation.years and rotation.years[0].start <= today <= rotation.years[-1].end:
        t.today_x = _x(today, origin)
    seen = dict.fromkeys(c for y in rotation.years for c in y.chairs)
    t.legend = [(name, colour.get(name, "#c8cdd4")) for name in seen]
    return t


# --- Handovers ------------------------------------------------------------------------------------------


def handovers_visible(user) -> QuerySet[Handover]:
    """Handovers the user may see: the Secretariat all; members of the body; and the people of either term
    (its chair person, the heads of delegation of its state on the body)."""
    return handovers_visible_by(Handover.objects.all(), **handover_visibility(user))


def handover_visibility(user) -> dict[str, list[int] | int | None]:
    """``handovers_visible``'s rule as plain arguments for ``handovers_visible_by``: ``body_ids`` None for
    the Secretariat (every handover), ``user_id`` None for an anonymous or inactive user (none)."""
    if is_secretariat(user):
        return {"body_ids": None, "user_id": None}
    if not is_active_user(user):
        return {"body_ids": [], "user_id": None}
    return {"body_ids": body_ids_with(user, VIEW, MANAGE), "user_id": user.pk}


def handovers_visible_by(
    qs: QuerySet[Handover], *, body_ids: list[int] | None, user_id: int | None
) -> QuerySet[Handover]:
    """``handovers_visible`` from ``handover_visibility``'s arguments (for a query compiled once per
    process, ``governance.prepared``)."""
    if body_ids is None:
        return qs
    if user_id is None:
        return qs.none()
    heads = Membership.objects.filter(
        Q(member_state_id=OuterRef("outgoing_term__member_state_id"))
        | Q(member_state_id=OuterRef("incoming_term__member_state_id")),
        person__user_id=user_id,
        role=Membership.Role.HEAD_OF_DELEGATION,
        body_id=OuterRef("body_id"),
    )
    return qs.filter(
        Q(body_id__any_of=body_ids)
        | Q(outgoing_term__chair_person__user_id=user_id)
        | Q(incoming_term__chair_person__user_id=user_id)
        | Exists(heads)
    )


def _with_terms(qs: QuerySet[Handover]) -> QuerySet[Handover]:
    return qs.select_related(
        "body",
        "outgoing_term__member_state",
        "outgoing_term__chair_person",
        "incoming_term__member_state",
        "incoming_term__chair_person",
        "completed_by",
    )


def handover_list(*, user) -> list[Handover]:
    """Handovers the user may see, newest first, each with ``done`` and ``total`` checklist counts."""
    qs = _with_terms(handovers_visible(user)).annotate(
        total=Count("items", distinct=True), done=Count("items", filter=Q(items__is_done=True), distinct=True)
    )
    return list(qs.order_by("-effective_date", "-pk")[:200])


def effective_moment(handover: Handover) -> dt.datetime:
    """A handover takes effect at the start of its effective date in the body's handover zone."""
    try:
        zone = zoneinfo.ZoneInfo(handover.body.handover_timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("Asia/Jakarta")
    return dt.datetime.combine(handover.effective_date, dt.time(0, 0), tzinfo=zone)


def zone_label(zone: str, at: dt.datetime) -> str:
    """ "Jakarta time (UTC+7)": the name people use and the offset, never a tz abbreviation (docs/decisions/0014)."""
    name = (
        MemberState.objects.filter(timezone=zone).exclude(zone_label="").values_list("zone_label", flat=True)
    )
    label = name.first() or zone.rsplit("/", 1)[-1].replace("_", " ") + " time"
    minutes = int(at.utcoffset().total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    offset = f"{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
    return f"{label} (UTC{sign}{offset})"


@dataclass
class HandoverPage:
    handover: Handover
    items: list[HandoverItem]
    effective_at: dt.datetime
    zone: str
    is_due: bool
    is_open: bool
    can_act: bool
    done: int
    total: int


def handover_page(*, user, pk: int) -> HandoverPage | None:
    """A handover with its checklist, or None if the user may not see it. Fixed query count."""
    handover = _with_terms(handovers_visible(user)).filter(pk=pk).first()
    if handover is None:
        return None
    items = list(handover.items.select_related("done_by").annotate(edit_version=version_column(HandoverItem)))
    is_open = handover.status in (Handover.Status.PLANNED, Handover.Status.IN_PROGRESS)
    moment = effective_moment(handover)
    return HandoverPage(
        handover=handover,
        items=items,
        effective_at=moment,
        zone=zone_label(handover.body.handover_timezone, moment),
        is_due=timezone.now() >= moment,
        is_open=is_open,
        can_act=can_manage_handover(user, handover),
        done=sum(1 for i in items if i.is_done),
        total=len(items),
    )
