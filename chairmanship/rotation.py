"""Who chairs a body in which year: the rotation rule, its recorded exceptions and the recorded terms.

Pure functions over plain data (no database), so the rule can be read, tested and checked against the real
record on its own. ``chairmanship/selectors.py`` loads the data and calls ``compute_rotation``.

The rule (ASEAN Charter Art. 31, and ACCMSME's own rotation):

- **Nominal order:** from the anchor (a state in a year) each following year goes to the next member state in
  alphabetical order of ASEAN short names, counting only the states in the order that year. A state is in the
  order from the first term that starts on or after its admission (an ``entry`` exception may put that off to
  a later year — Timor-Leste, to confirm — but never earlier), until it leaves.
- **Nobody holds a post before admission:** a vice-chair whose state is admitted during the year holds it
  from the admission date (``vice_chair_from``); before that day the post is vacant (docs/decisions/0034).
- **Deferral / skip** (year, state): the state gives up that year's slot; the next in line takes it and
  everyone after moves up one year. A deferral with ``other_year`` brings the state back in that year, and
  from then on the others are one year later again.
- **Swap** (year, state, other_state, other_year): the holders of the two years exchange; nobody else moves
  (Indonesia and Brunei Darussalam swapped 2011 and 2013 without moving Cambodia's 2012).
- **Recorded terms win** over the rule for their year. Years after the last recorded one are *provisional*;
  unrecorded years before it are *computed*.
- A body that **follows the ASEAN Chair** takes the ASEAN Summit's chairs; a body with **designated**
  co-chairs has only what was recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

MAX_YEARS = 200  # a preview longer than this is a typing mistake, not a plan


class Policy(StrEnum):
    FOLLOWS_ASEAN_CHAIR = "follows_asean_chair"
    OWN_ROTATION = "own_rotation"
    DESIGNATED = "designated"


class Kind(StrEnum):
    SWAP = "swap"
    DEFER = "defer"
    SKIP = "skip"
    ENTRY = "entry"


class Status(StrEnum):
    RECORDED = "recorded"  # a decision on record
    COMPUTED = "computed"  # from the rule, in a year before the last recorded one
    PROVISIONAL = "provisional"  # from the rule, after the last recorded year: a forecast
    NONE = "none"  # nobody: designated co-chairs not recorded, or before the rule's anchor


class RotationError(ValueError):
    """Input that cannot describe a rotation (reversed years, unknown anchor state...)."""


@dataclass(frozen=True)
class State:
    name: str
    admitted_on: dt.date
    left_on: dt.date | None = None


@dataclass(frozen=True)
class RuleException:
    kind: Kind
    year: int
    state: str
    other_state: str | None = None
    other_year: int | None = None
    note: str = ""
    to_confirm: bool = False


@dataclass(frozen=True)
class Rule:
    anchor_year: int
    anchor_state: str
    term_start_month: int = 1
    term_start_day: int = 1
    vice_chair_offset: int = 1

    def term_dates(self, year: int) -> tuple[dt.date, dt.date]:
        start = dt.date(year, self.term_start_month, self.term_start_day)
        end = dt.date(year + 1, self.term_start_month, self.term_start_day) - dt.timedelta(days=1)
        return start, end

    def year_of(self, start: dt.date) -> int:
        """The rotation year a term starting on ``start`` stands for: the one whose nominal start is nearest
        (a handover brought forward to 15 Dec 2026 still opens the 2027 term)."""
        candidates = (start.year - 1, start.year, start.year + 1)
        return min(candidates, key=lambda y: abs((self.term_dates(y)[0] - start).days))


DEFAULT_RULE_DATES = Rule(anchor_year=1, anchor_state="")


@dataclass(frozen=True)
class RecordedTerm:
    year: int
    state: str
    start: dt.date
    end: dt.date
    role: str = "chair"  # chair, vice_chair, co_chair
    person: str = ""


@dataclass(frozen=True)
class YearChair:
    year: int
    chairs: tuple[str, ...]
    vice_chair: str | None
    status: Status
    reason: str
    start: dt.date
    end: dt.date
    to_confirm: bool = False
    # The first day the vice-chair holds the post: later than ``start`` when its state is admitted mid-term.
    vice_chair_from: dt.date | None = None
    vice_reason: str = ""  # why the vice-chair is vacant or starts late; empty in the ordinary case

    @property
    def chair(self) -> str | None:
        return " and ".join(self.chairs) if self.chairs else None

    @property
    def is_provisional(self) -> bool:
        return self.status == Status.PROVISIONAL


@dataclass
class Rotation:
    years: list[YearChair]
    warnings: list[str] = field(default_factory=list)

    def by_year(self) -> dict[int, YearChair]:
        return {y.year: y for y in self.years}


@dataclass
class _Slot:
    state: str
    notes: list[str] = field(default_factory=list)
    to_confirm: bool = False


def _confirm_suffix(exc: RuleException) -> str:
    return " (to confirm)" if exc.to_confirm else ""


def alphabetical(names: Iterable[str]) -> list[str]:
    return sorted(names, key=lambda n: (n.casefold(), n))


def in_order(state: State, year: int, rule: Rule, entry_years: dict[str, int]) -> bool:
    """Whether ``state`` takes part in the order for ``year``: never for a term that starts before its
    admission, whatever an entry exception says."""
    start = rule.term_dates(year)[0]
    joined = state.admitted_on <= start and year >= entry_years.get(state.name, year)
    left = state.left_on is not None and state.left_on <= start
    return joined and not left


@dataclass
class _Exceptions:
    """The recorded exceptions sorted by what they do to the order."""

    entry: dict[str, RuleException]
    dropped: dict[tuple[int, str], RuleException]  # (year, state) -> deferral or skip
    returns: dict[int, RuleException]  # year a deferring state comes back -> its deferral
    swaps: list[RuleException]

    @classmethod
    def sort(cls, exceptions: Sequence[RuleException], warnings: list[str]) -> _Exceptions:
        returns = {e.other_year: e for e in exceptions if e.kind == Kind.DEFER and e.other_year}
        for e in returns.values():
            if e.other_year <= e.year:
                warnings.append(f"{e.state} deferred {e.year} to {e.other_year}, which is not later: ignored")
        return cls(
            entry={e.state: e for e in exceptions if e.kind == Kind.ENTRY},
            dropped={(e.year, e.state): e for e in exceptions if e.kind in (Kind.DEFER, Kind.SKIP)},
            returns={y: e for y, e in returns.items() if y > e.year},
            swaps=[e for e in exceptions if e.kind == Kind.SWAP],
        )


class _Walk:
    """One pass over the years from the anchor, handing each year's slot to the next state in the order."""

    def __init__(self, *, rule: Rule, states: Sequence[State], exc: _Exceptions, warnings: list[str]) -> None:
        self.rule, self.exc, self.warnings = rule, exc, warnings
        self.by_name = {s.name: s for s in states}
        self.order = alphabetical(self.by_name)
        self.entry_years = {name: e.year for name, e in exc.entry.items()}
        self.slots: dict[int, _Slot] = {}
        self.used: set[tuple[int, str]] = set()
        self.cursor: str | None = None
        # The note for the rest of the cycle after a deferral or skip moved it up a year.
        self.shift: str | None = None
        self.had_turn: set[str] = set()

    def active(self, name: str, year: int) -> bool:
        return in_order(self.by_name[name], year, self.rule, self.entry_years)

    def next_after(self, name: str, year: int) -> str | None:
        i = self.order.index(name)
        for k in range(1, len(self.order) + 1):
            candidate = self.order[(i + k) % len(self.order)]
            if self.active(candidate, year):
                return candidate
        return None

    def run(self, until: int) -> None:
        for year in range(self.rule.anchor_year, until + 1):
            if year in self.exc.returns:
                e = self.exc.returns[year]
                self.slots[year] = _Slot(
                    e.state,
                    [f"{e.state} takes the turn it deferred in {e.year}{_confirm_suffix(e)}"],
                    e.to_confirm,
                )
                self.shift = None
                continue
            if not self.take_turn(year):
                self.warnings.append(f"{year}: no member state is in the order")
                break

    def take_turn(self, year: int) -> bool:
        """Give ``year`` to the next state in the order that does not give it up; False if there is none."""
        previous = self.cursor
        candidate = self.rule.anchor_state if previous is None else self.next_after(previous, year)
        slot = _Slot("")
        candidate = self.pass_over_dropped(year, candidate, slot)
        if candidate is None:
            return False
        slot.state = candidate
        if self.shift and not slot.notes:
            # The shift lasts for the rest of the alphabetical cycle; a new cycle starts afresh.
            if previous is not None and self.order.index(candidate) > self.order.index(previous):
                slot.notes.append(self.shift)
            else:
                self.shift = None
        if candidate in self.exc.entry and candidate not in self.had_turn:
            e = self.exc.entry[candidate]
            slot.notes.append(f"{candidate} entered the order in {e.year}{_confirm_suffix(e)}")
            slot.to_confirm |= e.to_confirm
        self.had_turn.add(candidate)
        if not slot.notes:
            slot.notes.append(
                f"Anchor of the rotation ({candidate}, {year})"
                if previous is None
                else f"Alphabetical order: next after {previous}"
            )
        self.slots[year] = slot
        self.cursor = candidate
        return True

    def pass_over_dropped(self, year: int, candidate: str | None, slot: _Slot) -> str | None:
        """Move past the states that defer or skip ``year``, noting each on the slot."""
        while (
            candidate is not None
            and (year, candidate) in self.exc.dropped
            and (year, candidate) not in self.used
        ):
            e = self.exc.dropped[(year, candidate)]
            self.used.add((year, candidate))
            what = "deferred its turn" if e.kind == Kind.DEFER else "was skipped"
            slot.notes.append(f"{candidate} {what}{_confirm_suffix(e)}")
            slot.to_confirm |= e.to_confirm
            moved, candidate = candidate, self.next_after(candidate, year)
            if e.other_state and candidate != e.other_state:
                self.warnings.append(
                    f"{year}: {e.other_state} is recorded as taking {moved}'s turn, "
                    f"but the order gives {candidate}"
                )
            self.shift = (
                f"Moved up a year: {moved} deferred its {year} turn"
                if e.kind == Kind.DEFER
                else f"Moved up a year: {moved} was skipped in {year}"
            ) + _confirm_suffix(e)
        return candidate

    def warn_early_entries(self) -> None:
        for name, e in self.exc.entry.items():
            state = self.by_name.get(name)
            if state is not None and state.admitted_on > self.rule.term_dates(e.year)[0]:
                self.warnings.append(
                    f"{name} is recorded as entering the order in {e.year}, before its admission on "
                    f"{state.admitted_on:%d %b %Y}: it enters with the first term after that"
                )

    def warn_unused_drops(self, until: int) -> None:
        for (year, name), _e in self.exc.dropped.items():
            if (year, name) not in self.used and self.rule.anchor_year <= year <= until:
                holder = self.slots[year].state if year in self.slots else "nobody"
                self.warnings.append(
                    f"{name} is recorded as deferring or skipping {year}, but the order gives {holder}"
                )

    def apply_swaps(self, until: int) -> None:
        slots = self.slots
        for e in self.exc.swaps:
            if e.other_year is None or e.other_state is None:
                self.warnings.append(f"the swap of {e.year} names no other state and year: ignored")
                continue
            if e.year not in slots or e.other_year not in slots:
                if self.rule.anchor_year <= min(e.year, e.other_year) and max(e.year, e.other_year) <= until:
                    self.warnings.append(
                        f"the swap of {e.year} and {e.other_year} falls outside the rotation: ignored"
                    )
                continue
            a, b = slots[e.year], slots[e.other_year]
            slots[e.year] = _Slot(
                b.state, [f"Swapped with {a.state} ({e.other_year}){_confirm_suffix(e)}"], e.to_confirm
            )
            slots[e.other_year] = _Slot(
                a.state, [f"Swapped with {b.state} ({e.year}){_confirm_suffix(e)}"], e.to_confirm
            )
            if b.state != e.state or a.state != e.other_state:
                self.warnings.append(
                    f"the swap of {e.year} and {e.other_year} expects {e.state} and {e.other_state} there; "
                    f"the order gives {a.state} and {b.state}"
                )


def nominal_slots(
    *, rule: Rule, states: Sequence[State], exceptions: Sequence[RuleException], until: int
) -> tuple[dict[int, _Slot], list[str]]:
    """The holder of each year from the anchor to ``until``, with the exceptions applied, and warnings
    for exceptions that do not fit the rule's order."""
    warnings: list[str] = []
    if rule.anchor_state not in {s.name for s in states}:
        raise RotationError(f"the anchor state {rule.anchor_state!r} is not a member state")
    walk = _Walk(rule=rule, states=states, exc=_Exceptions.sort(exceptions, warnings), warnings=warnings)
    walk.run(until)
    walk.warn_early_entries()
    walk.warn_unused_drops(until)
    walk.apply_swaps(until)
    return walk.slots, warnings


def _recorded_by_year(recorded: Sequence[RecordedTerm]) -> tuple[dict[int, list[RecordedTerm]], dict]:
    chairs: dict[int, list[RecordedTerm]] = {}
    vices: dict[int, RecordedTerm] = {}
    for t in sorted(recorded, key=lambda t: (t.start, t.state)):
        if t.role == "vice_chair":
            vices.setdefault(t.year, t)
        else:
            chairs.setdefault(t.year, []).append(t)
    return chairs, vices


def _recorded_reason(terms: list[RecordedTerm], computed: _Slot | None) -> str:
    people = ", ".join(t.person for t in terms if t.person)
    reason = "Recorded" + (f" ({people})" if people else "")
    states = [t.state for t in terms]
    if computed is None:
        return reason
    if states != [computed.state]:
        return f"{reason}; the rule gives {computed.state}"
    plain = all(n.startswith(("Alphabetical order", "Anchor of")) for n in computed.notes)
    return f"{reason}, as the rule gives" if plain else f"{reason}: " + "; ".join(computed.notes)


_Chairs = tuple[tuple[str, ...], Status, str, dt.date, dt.date, bool]


def _unrecorded_year(
    *,
    policy: Policy,
    rule: Rule | None,
    slot: _Slot | None,
    lead: YearChair | None,
    status: Status,
    dates: tuple[dt.date, dt.date],
) -> _Chairs:
    """The chairs of a year with no recorded term: from the body's own rule, from the ASEAN Chair, or none."""
    start, end = dates
    if policy == Policy.OWN_ROTATION and slot is not None:
        return ((slot.state,), status, "; ".join(slot.notes), start, end, slot.to_confirm)
    if policy == Policy.FOLLOWS_ASEAN_CHAIR and lead is not None and lead.chairs:
        both_provisional = lead.status == Status.PROVISIONAL and status == Status.PROVISIONAL
        how = "recorded" if lead.status == Status.RECORDED else lead.status.value
        return (
            lead.chairs,
            Status.PROVISIONAL if both_provisional else Status.COMPUTED,
            f"Follows the ASEAN Chair ({lead.chair}, {how})",
            lead.start,
            lead.end,
            lead.to_confirm,
        )
    why = {
        Policy.DESIGNATED: "Co-chairs are designated by hand; none recorded",
        Policy.OWN_ROTATION: (
            f"Before the rotation's anchor ({rule.anchor_state}, {rule.anchor_year})"
            if rule
            else "No rotation rule and no recorded term"
        ),
        Policy.FOLLOWS_ASEAN_CHAIR: "The ASEAN Chair is not known for this year",
    }[policy]
    return ((), Status.NONE, why, start, end, False)


def compute_rotation(
    *,
    policy: Policy | str,
    year_from: int,
    year_to: int,
    rule: Rule | None = None,
    states: Sequence[State] = (),
    exceptions: Sequence[RuleException] = (),
    recorded: Sequence[RecordedTerm] = (),
    leader: Rotation | None = None,
) -> Rotation:
    """The chair and vice-chair of a body for each year from ``year_from`` to ``year_to`` (inclusive).

    ``rule`` is the body's own rotation (required for ``own_rotation``; for the others it only gives the
    term dates); ``leader`` is the ASEAN Summit's rotation computed for at least ``year_from`` to
    ``year_to`` (required for ``follows_asean_chair``).
    """
    policy = Policy(policy)
    if year_from > year_to:
        raise RotationError(f"from {year_from} is after to {year_to}")
    if year_to - year_from >= MAX_YEARS:
        raise RotationError(f"at most {MAX_YEARS} years at a time")
    dates = rule or DEFAULT_RULE_DATES
    offset = dates.vice_chair_offset if rule else 1
    chairs_rec, vices_rec = _recorded_by_year(recorded)
    last_recorded = max(chairs_rec, default=None)
    warnings: list[str] = []
    chairs: dict[int, _Chairs] = {}
    until = year_to + offset

    slots: dict[int, _Slot] = {}
    lead = leader.by_year() if leader is not None else {}
    if policy == Policy.OWN_ROTATION:
        if rule is None:
            warnings.append("no rotation rule recorded: only recorded terms are shown")
        else:
            slots, more = nominal_slots(rule=rule, states=states, exceptions=exceptions, until=until)
            warnings += more
    elif policy == Policy.FOLLOWS_ASEAN_CHAIR:
        if leader is None:
            warnings.append("no ASEAN Chair to follow: only recorded terms are shown")
        else:
            warnings += leader.warnings
            lead_recorded = [y.year for y in leader.years if y.status == Status.RECORDED]
            last_recorded = max([*lead_recorded, *chairs_rec], default=None)

    for year in range(year_from, until + 1):
        start, end = dates.term_dates(year)
        if year in chairs_rec:
            terms = chairs_rec[year]
            computed = slots.get(year)
            if policy == Policy.FOLLOWS_ASEAN_CHAIR and year in lead and lead[year].chairs:
                computed = _Slot(lead[year].chairs[0], [f"follows the ASEAN Chair ({lead[year].chair})"])
            chairs[year] = (
                tuple(dict.fromkeys(t.state for t in terms)),
                Status.RECORDED,
                _recorded_reason(terms, computed),
                min(t.start for t in terms),
                max(t.end for t in terms),
                False,
            )
            continue
        status = Status.PROVISIONAL if last_recorded is None or year > last_recorded else Status.COMPUTED
        chairs[year] = _unrecorded_year(
            policy=policy,
            rule=rule,
            slot=slots.get(year),
            lead=lead.get(year),
            status=status,
            dates=(start, end),
        )

    admitted = {s.name: s.admitted_on for s in states}
    warnings += _terms_before_admission(recorded, admitted)
    years = []
    for year in range(year_from, year_to + 1):
        names, status, reason, start, end, to_confirm = chairs[year]
        if year in vices_rec:
            vice = vices_rec[year].state
            vice_start = max(start, vices_rec[year].start)
        elif policy == Policy.DESIGNATED or not names:
            vice, vice_start = None, start
        elif policy == Policy.FOLLOWS_ASEAN_CHAIR and year not in chairs_rec and year in lead:
            vice, vice_start = lead[year].vice_chair, lead[year].vice_chair_from or start
        else:
            nxt = chairs.get(year + offset)
            vice, vice_start = (nxt[0][0] if nxt and nxt[0] else None), start
        vice, vice_from, why = _vice_after_admission(vice, max(vice_start, start), end, admitted)
        years.append(
            YearChair(
                year,
                names,
                vice,
                status,
                reason,
                start,
                end,
                to_confirm,
                vice_chair_from=vice_from,
                vice_reason=why,
            )
        )
    return Rotation(years=years, warnings=warnings)


def _terms_before_admission(recorded: Sequence[RecordedTerm], admitted: dict[str, dt.date]) -> list[str]:
    """Recorded terms that start before their state's admission: shown as recorded, but said to be wrong."""
    return [
        f"{t.state}'s recorded {t.role.replace('_', '-')} term of {t.year} starts on {t.start:%d %b %Y}, "
        f"before its admission on {admitted[t.state]:%d %b %Y}"
        for t in recorded
        if t.state in admitted and t.start < admitted[t.state]
    ]


def _vice_after_admission(
    vice: str | None, start: dt.date, end: dt.date, admitted: dict[str, dt.date]
) -> tuple[str | None, dt.date | None, str]:
    """The vice-chair from the first day its state is a member: nobody holds the post for days before the
    admission (Timor-Leste, next in line for 2026, is vice-chair of 2025 from 26 Oct 2025 only)."""
    if vice is None:
        return None, None, ""
    day = admitted.get(vice)
    if day is None or day <= start:
        return vice, start, ""
    if day > end:
        return None, None, f"{vice}, next in line, is not yet a member this term"
    return vice, day, f"{vice} is vice-chair from its admission on {day:%d %b %Y}; vacant before"
