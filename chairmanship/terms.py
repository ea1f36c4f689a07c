"""Rules about chair terms, callable without HTTP: one term checked against the body's others and stored
with the chair rights it gives, and the rotation rule written into the record as provisional terms
(handovers between terms are in ``chairmanship.handovers``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from chairmanship import rotation as rot
from chairmanship.models import ChairTerm
from chairmanship.rights import TERM_FIELDS, sync_term_rights
from chairmanship.selectors import rotation_for_body
from governance.models import Body, Certainty, MemberState, Person
from governance.rights import stored_values

NON_OVERLAPPING_ROLES = (ChairTerm.Role.CHAIR, ChairTerm.Role.VICE_CHAIR)
MAX_CO_CHAIRS = 2  # a task force may have two co-chairs at once


def fmt_day(day: dt.date) -> str:
    """``4 Mar 2026``: a day as the messages about terms and handovers say it."""
    return f"{day.day} {day:%b %Y}"


# --- Chair terms ----------------------------------------------------------------------------------------


def chair_term_check(*, term: ChairTerm) -> None:
    """Two chairs (or two vice-chairs) of one body never overlap; co-chairs may, two at a time, but not
    alongside a chair. The database says the same for chairs (exclusion constraint / trigger); this gives
    the person a sentence instead of an IntegrityError. Raises ``ValidationError`` naming the field."""
    if term.start_date and term.end_date and term.end_date < term.start_date:
        raise ValidationError({"end_date": "A term cannot end before it starts."})
    overlapping = (
        ChairTerm.objects.filter(
            body_id=term.body_id, start_date__lte=term.end_date, end_date__gte=term.start_date
        )
        .exclude(pk=term.pk)
        .select_related("member_state", "body")
    )
    if term.role in NON_OVERLAPPING_ROLES:
        clash = overlapping.filter(role=term.role).first()
        if clash is None and term.role == ChairTerm.Role.CHAIR:
            clash = overlapping.filter(role=ChairTerm.Role.CO_CHAIR).first()
        if clash is not None:
            raise ValidationError(
                {
                    "start_date": f"{clash.member_state} is already {clash.get_role_display().lower()} of "
                    f"{clash.body} from {fmt_day(clash.start_date)} to {fmt_day(clash.end_date)}: two chairs of one body "
                    "cannot overlap."
                }
            )
        return
    if term.role == ChairTerm.Role.CO_CHAIR:
        chair = overlapping.filter(role=ChairTerm.Role.CHAIR).first()
        if chair is not None:
            raise ValidationError(
                {
                    "role": f"{chair.member_state} chairs {chair.body} alone from {fmt_day(chair.start_date)} to "
                    f"{fmt_day(chair.end_date)}: a co-chair cannot be added then."
                }
            )
        co = list(overlapping.filter(role=ChairTerm.Role.CO_CHAIR))
        if any(c.member_state_id == term.member_state_id for c in co):
            raise ValidationError({"member_state": "This state already co-chairs the body at that time."})
        if len(co) >= MAX_CO_CHAIRS:
            raise ValidationError(
                {"role": f"{co[0].body} already has {MAX_CO_CHAIRS} co-chairs at that time."}
            )


@transaction.atomic
def chair_term_save(*, term: ChairTerm) -> ChairTerm:
    """Validate and store a term (new or changed), then move the chair rights it gives (and, when it moved to
    another body, state or person, those it gave before)."""
    chair_term_check(term=term)
    before = stored_values(term, TERM_FIELDS)
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError as exc:  # a concurrent write got there first; the database rule held
        raise ValidationError({"start_date": f"This term clashes with another chair term ({exc})."}) from exc
    sync_term_rights(term=term, before=before)
    return term


@transaction.atomic
def chair_term_delete(*, term: ChairTerm) -> None:
    """Delete a term and withdraw the chair rights it gave."""
    term.delete()
    sync_term_rights(term=term)


def chair_term_record(
    *,
    body: Body,
    member_state: MemberState,
    start_date: dt.date,
    end_date: dt.date,
    role: str = ChairTerm.Role.CHAIR,
    chair_person: Person | None = None,
    is_provisional: bool = False,
    reason: str = "",
    source: str = "",
    certainty: str = Certainty.SOURCED,
    recorded_by=None,
) -> ChairTerm:
    """Record a chair term (a decision unless ``is_provisional``)."""
    term = ChairTerm(
        body=body,
        member_state=member_state,
        role=role,
        start_date=start_date,
        end_date=end_date,
        chair_person=chair_person,
        is_provisional=is_provisional,
        reason=reason[:300],
        source=source[:500],
        certainty=certainty,
        recorded_by=recorded_by,
    )
    return chair_term_save(term=term)


# --- Writing the rotation -------------------------------------------------------------------------------


@dataclass
class ApplyReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # stored terms that differ from the rule, left as they are
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"created {len(self.created)}, updated {len(self.updated)}, unchanged {self.unchanged}, "
            f"kept as recorded {len(self.kept)}"
        )


@transaction.atomic
def rotation_apply(
    *, body: Body, year_from: int, year_to: int, today: dt.date, actor=None
) -> tuple[rot.Rotation, ApplyReport]:
    """Write the chair terms the rule gives and the record lacks. Idempotent. Never rewrites a recorded
    (non-provisional) term, nor one that has started; a provisional future term is brought in line with the
    rule (an exception added since changes the forecast)."""
    rotation = rotation_for_body(body=body, year_from=year_from, year_to=year_to)
    report = ApplyReport()
    states = {s.short_name: s for s in MemberState.objects.all()}
    stored = list(
        ChairTerm.objects.filter(
            body=body,
            role=ChairTerm.Role.CHAIR,
            start_date__lte=rotation.years[-1].end,
            end_date__gte=rotation.years[0].start,
        ).select_related("member_state")
    )
    for year in rotation.years:
        if year.status == rot.Status.RECORDED or len(year.chairs) != 1:
            continue
        state = states[year.chairs[0]]
        # A stored term stands for this year if it starts within half a year of the nominal start (a handover
        # brought forward a fortnight still opens the same year's term).
        here = [t for t in stored if abs((t.start_date - year.start).days) <= 182]
        certainty = Certainty.TO_CONFIRM if year.to_confirm else Certainty.INFERRED
        if not here:
            try:
                term = chair_term_record(
                    body=body,
                    member_state=state,
                    start_date=year.start,
                    end_date=year.end,
                    is_provisional=True,
                    reason=year.reason,
                    source="Computed from the rotation rule",
                    certainty=certainty,
                    recorded_by=actor,
                )
            except ValidationError as exc:
                report.kept.append(f"{year.year}: not written, {'; '.join(exc.messages)}")
                continue
            stored.append(term)
            report.created.append(f"{year.year} {state}")
            continue
        term = here[0]
        updatable = len(here) == 1 and term.is_provisional and term.start_date > today
        if (
            len(here) == 1
            and term.member_state_id == state.pk
            and (term.reason == year.reason[:300] or not updatable)
        ):
            report.unchanged += 1
        elif updatable:
            term.member_state, term.reason, term.certainty = state, year.reason[:300], certainty
            chair_term_save(term=term)
            report.updated.append(f"{year.year} {state}")
        else:
            report.kept.append(
                f"{year.year}: stored {', '.join(str(t.member_state) for t in here)}, rule {state}"
            )
    return rotation, report
