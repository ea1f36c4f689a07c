"""The rotation rule as pure functions: the real ASEAN and ACCMSME record, each kind of exception, and
properties that hold for any order of states (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chairmanship.rotation import (
    Kind,
    Policy,
    RecordedTerm,
    Rotation,
    RotationError,
    Rule,
    RuleException,
    State,
    Status,
    compute_rotation,
)
from tests.world.asean import ASEAN_RECORD

D = dt.date.fromisoformat

# Member states and admission dates (docs/decisions/0013).
STATES = [
    State("Brunei Darussalam", D("1984-01-07")),
    State("Cambodia", D("1999-04-30")),
    State("Indonesia", D("1967-08-08")),
    State("Lao PDR", D("1997-07-23")),
    State("Malaysia", D("1967-08-08")),
    State("Myanmar", D("1997-07-23")),
    State("Philippines", D("1967-08-08")),
    State("Singapore", D("1967-08-08")),
    State("Thailand", D("1967-08-08")),
    State("Timor-Leste", D("2025-10-26")),
    State("Viet Nam", D("1995-07-28")),
]
ASEAN_RULE = Rule(anchor_year=2011, anchor_state="Brunei Darussalam")
ASEAN_EXCEPTIONS = [
    RuleException(Kind.SWAP, 2011, "Indonesia", "Brunei Darussalam", 2013),
    RuleException(Kind.SWAP, 2014, "Myanmar", "Lao PDR", 2016),
    RuleException(Kind.DEFER, 2026, "Myanmar", "Philippines"),
    RuleException(Kind.ENTRY, 2026, "Timor-Leste", to_confirm=True),
]


def term(year: int, state: str, **kw) -> RecordedTerm:
    return RecordedTerm(year=year, state=state, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), **kw)


def asean(year_from: int, year_to: int, *, recorded=(), exceptions=ASEAN_EXCEPTIONS) -> Rotation:
    return compute_rotation(
        policy=Policy.OWN_ROTATION,
        year_from=year_from,
        year_to=year_to,
        rule=ASEAN_RULE,
        states=STATES,
        exceptions=exceptions,
        recorded=recorded,
    )


@pytest.mark.parametrize("year,chair", sorted(ASEAN_RECORD.items()))
def test_the_rule_alone_reproduces_each_asean_chair_2015_to_2026(year, chair):
    # No recorded terms given: the rule and its recorded exceptions must give the record by themselves.
    got = asean(2011, 2030).by_year()[year]
    assert got.chair == chair, f"{year}: rule gives {got.chair}, record says {chair} ({got.reason})"


def test_without_the_exceptions_the_rule_would_be_wrong_on_the_years_they_name():
    plain = asean(2011, 2026, exceptions=[]).by_year()
    wrong = {y for y, c in ASEAN_RECORD.items() if plain[y].chair != c}
    assert wrong == {2016, 2026}  # Lao PDR/Myanmar swapped 2014/2016; Myanmar deferred 2026


def test_asean_forecast_after_2026_is_provisional_with_reasons():
    rotation = asean(2024, 2031, recorded=[term(y, c) for y, c in ASEAN_RECORD.items()]).by_year()
    assert [rotation[y].chair for y in range(2027, 2032)] == [
        "Singapore",
        "Thailand",
        "Timor-Leste",
        "Viet Nam",
        "Brunei Darussalam",
    ]
    assert all(rotation[y].status == Status.RECORDED for y in (2024, 2025, 2026))
    assert all(rotation[y].is_provisional for y in range(2027, 2032))
    assert rotation[2026].reason == "Recorded: Myanmar deferred its turn"
    assert rotation[2027].reason == "Moved up a year: Myanmar deferred its 2026 turn"
    assert "Timor-Leste entered the order in 2026 (to confirm)" in rotation[2029].reason
    assert rotation[2029].to_confirm
    assert rotation[2031].reason == "Alphabetical order: next after Viet Nam"  # a new cycle
    assert rotation[2026].vice_chair == "Singapore"


def test_swaps_read_as_swaps():
    years = asean(2011, 2016).by_year()
    assert years[2011].reason == "Swapped with Brunei Darussalam (2013)"
    assert years[2013].reason == "Swapped with Indonesia (2011)"
    assert years[2014].reason == "Swapped with Lao PDR (2016)"
    assert years[2012].chair == "Cambodia"  # the 2011/2013 swap did not move 2012


def test_recorded_terms_win_and_say_when_the_rule_disagrees():
    years = asean(2030, 2032, recorded=[term(2031, "Malaysia", person="A. Person")]).by_year()
    assert years[2031].chair == "Malaysia"
    assert years[2031].status == Status.RECORDED
    assert years[2031].reason == "Recorded (A. Person); the rule gives Brunei Darussalam"
    assert years[2030].status == Status.COMPUTED  # before the last recorded year
    assert years[2030].vice_chair == "Malaysia"  # next in line is whoever actually chairs next
    assert years[2032].status == Status.PROVISIONAL
    assert years[2032].chair == "Cambodia"  # a record does not re-anchor the rule


ACCMSME_RULE = Rule(anchor_year=2022, anchor_state="Myanmar")
TL_ENTRY = RuleException(Kind.ENTRY, 2026, "Timor-Leste", to_confirm=True)


def test_accmsme_has_its_own_rotation_anchored_on_myanmar_2022():
    rotation = compute_rotation(
        policy=Policy.OWN_ROTATION,
        year_from=2022,
        year_to=2028,
        rule=ACCMSME_RULE,
        states=STATES,
        exceptions=[TL_ENTRY],
        recorded=[term(2022, "Myanmar", person="Thein Swe"), term(2023, "Philippines")],
    ).by_year()
    assert [rotation[y].chair for y in range(2022, 2029)] == [
        "Myanmar",
        "Philippines",
        "Singapore",
        "Thailand",
        "Timor-Leste",
        "Viet Nam",
        "Brunei Darussalam",
    ]
    assert rotation[2022].reason == "Recorded (Thein Swe), as the rule gives"
    assert (
        rotation[2024].is_provisional
        and rotation[2024].reason == "Alphabetical order: next after Philippines"
    )
    assert rotation[2026].reason == "Timor-Leste entered the order in 2026 (to confirm)"
    # Timor-Leste, next in line, is vice-chair of 2025 only from its admission (26 Oct 2025).
    assert rotation[2025].vice_chair == "Timor-Leste"
    assert rotation[2025].vice_chair_from == D("2025-10-26")
    assert rotation[2024].vice_chair_from == D("2024-01-01")


def test_a_new_member_counts_from_its_admission_without_an_entry_exception():
    # Timor-Leste admitted 26 Oct 2025: not in the order for 2025 (term starting 1 Jan 2025), in it for 2026.
    rotation = compute_rotation(
        policy=Policy.OWN_ROTATION, year_from=2024, year_to=2027, rule=Rule(2024, "Singapore"), states=STATES
    ).by_year()
    assert [rotation[y].chair for y in range(2024, 2028)] == [
        "Singapore",
        "Thailand",
        "Timor-Leste",
        "Viet Nam",
    ]
    later = compute_rotation(
        policy=Policy.OWN_ROTATION,
        year_from=2024,
        year_to=2027,
        rule=Rule(2024, "Singapore"),
        states=STATES,
        exceptions=[RuleException(Kind.ENTRY, 2030, "Timor-Leste")],
    ).by_year()
    assert [later[y].chair for y in range(2024, 2028)] == [
        "Singapore",
        "Thailand",
        "Viet Nam",
        "Brunei Darussalam",
    ]


def test_a_skip_drops_the_state_and_a_deferral_to_a_year_brings_it_back():
    skip = asean(
        2030, 2034, exceptions=[*ASEAN_EXCEPTIONS, RuleException(Kind.SKIP, 2031, "Brunei Darussalam")]
    ).by_year()
    assert [skip[y].chair for y in range(2030, 2035)] == [
        "Viet Nam",
        "Cambodia",
        "Indonesia",
        "Lao PDR",
        "Malaysia",
    ]
    assert skip[2031].reason == "Brunei Darussalam was skipped"
    back = asean(
        2030,
        2034,
        exceptions=[*ASEAN_EXCEPTIONS, RuleException(Kind.DEFER, 2031, "Brunei Darussalam", other_year=2033)],
    ).by_year()
    assert [back[y].chair for y in range(2030, 2035)] == [
        "Viet Nam",
        "Cambodia",
        "Indonesia",
        "Brunei Darussalam",
        "Lao PDR",
    ]
    assert back[2033].reason == "Brunei Darussalam takes the turn it deferred in 2031"


def test_follows_the_asean_chair():
    leader = asean(2024, 2029, recorded=[term(y, c) for y, c in ASEAN_RECORD.items()])
    aem = compute_rotation(
        policy=Policy.FOLLOWS_ASEAN_CHAIR, year_from=2024, year_to=2028, states=STATES, leader=leader
    ).by_year()
    assert [aem[y].chair for y in range(2024, 2029)] == [
        "Lao PDR",
        "Malaysia",
        "Philippines",
        "Singapore",
        "Thailand",
    ]
    assert (
        aem[2026].status == Status.COMPUTED
        and aem[2026].reason == "Follows the ASEAN Chair (Philippines, recorded)"
    )
    assert aem[2027].is_provisional
    assert aem[2028].vice_chair == "Timor-Leste"


def test_designated_co_chairs_are_only_what_was_recorded():
    rotation = compute_rotation(
        policy=Policy.DESIGNATED,
        year_from=2026,
        year_to=2027,
        states=STATES,
        recorded=[term(2026, "Indonesia", role="co_chair"), term(2026, "Singapore", role="co_chair")],
    ).by_year()
    assert rotation[2026].chairs == ("Indonesia", "Singapore")
    assert rotation[2026].chair == "Indonesia and Singapore"
    assert rotation[2027].chairs == () and rotation[2027].status == Status.NONE
    assert rotation[2026].vice_chair is None


def test_mid_year_terms_and_handovers_brought_forward_map_to_their_year():
    smewg = Rule(anchor_year=2014, anchor_state="Singapore", term_start_month=6)
    assert smewg.term_dates(2014) == (D("2014-06-01"), D("2015-05-31"))
    assert smewg.year_of(D("2014-06-01")) == 2014
    assert Rule(2011, "Brunei Darussalam").year_of(D("2026-12-15")) == 2027


def test_bad_input_is_refused():
    with pytest.raises(RotationError, match="from 2030 is after to 2020"):
        asean(2030, 2020)
    with pytest.raises(RotationError, match="not a member state"):
        compute_rotation(
            policy="own_rotation", year_from=2020, year_to=2021, rule=Rule(2020, "Atlantis"), states=STATES
        )


def test_an_exception_that_does_not_fit_the_order_is_reported():
    rotation = asean(2030, 2032, exceptions=[*ASEAN_EXCEPTIONS, RuleException(Kind.DEFER, 2031, "Thailand")])
    assert rotation.warnings == [
        "Thailand is recorded as deferring or skipping 2031, but the order gives Brunei Darussalam"
    ]


# --- Properties -----------------------------------------------------------------------------------------

NAMES = [s.name for s in STATES if s.name != "Timor-Leste"]
OLD = D("1990-01-01")


@st.composite
def orders(draw):
    names = draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=len(NAMES), unique=True))
    anchor_year = draw(st.integers(min_value=1990, max_value=2040))
    anchor = draw(st.sampled_from(names))
    return [State(n, OLD) for n in names], Rule(anchor_year, anchor)


def run(states, rule, exceptions=(), span=40) -> dict[int, str]:
    rotation = compute_rotation(
        policy=Policy.OWN_ROTATION,
        year_from=rule.anchor_year,
        year_to=rule.anchor_year + span - 1,
        rule=rule,
        states=states,
        exceptions=exceptions,
    )
    assert not rotation.warnings, rotation.warnings
    # No year has two chairs, and every year has one.
    assert [y.year for y in rotation.years] == list(range(rule.anchor_year, rule.anchor_year + span))
    assert all(len(y.chairs) == 1 for y in rotation.years)
    return {y.year: y.chair for y in rotation.years}


@settings(max_examples=60, deadline=None)
@given(orders())
def test_every_active_state_chairs_once_per_cycle(order):
    states, rule = order
    chairs = run(states, rule)
    n = len(states)
    for start in range(rule.anchor_year, rule.anchor_year + 40 - n + 1):
        window = [chairs[y] for y in range(start, start + n)]
        assert sorted(window) == sorted(s.name for s in states)


@settings(max_examples=60, deadline=None)
@given(orders(), st.data())
def test_a_new_member_joins_the_cycle_from_its_entry_year(order, data):
    states, rule = order
    entry_year = data.draw(st.integers(min_value=rule.anchor_year + 1, max_value=rule.anchor_year + 20))
    newcomer = State(
        "Timor-Leste", D("1900-01-01")
    )  # admitted long ago: only the entry exception holds it back
    chairs = run([*states, newcomer], rule, [RuleException(Kind.ENTRY, entry_year, "Timor-Leste")])
    assert all(chairs[y] != "Timor-Leste" for y in range(rule.anchor_year, entry_year))
    n = len(states) + 1
    for start in range(entry_year, rule.anchor_year + 40 - n + 1):
        assert sorted(chairs[y] for y in range(start, start + n)) == sorted(
            [*(s.name for s in states), "Timor-Leste"]
        )


@settings(max_examples=80, deadline=None)
@given(orders(), st.data())
def test_a_swap_moves_only_the_two_years_it_names(order, data):
    states, rule = order
    base = run(states, rule)
    years = list(base)
    y1 = data.draw(st.sampled_from(years))
    y2 = data.draw(st.sampled_from([y for y in years if y != y1]))
    swap = RuleException(Kind.SWAP, y1, base[y2], base[y1], y2)
    swapped = run(states, rule, [swap])
    assert swapped[y1] == base[y2] and swapped[y2] == base[y1]
    assert {y for y in years if swapped[y] != base[y]} <= {y1, y2}


@settings(max_examples=80, deadline=None)
@given(orders(), st.data(), st.sampled_from([Kind.DEFER, Kind.SKIP]))
def test_a_deferral_moves_nothing_before_it_and_moves_everyone_after_up_one_year(order, data, kind):
    states, rule = order
    base = run(states, rule, span=41)
    year = data.draw(st.integers(min_value=rule.anchor_year + 1, max_value=rule.anchor_year + 30))
    moved = run(states, rule, [RuleException(kind, year, base[year])], span=40)
    assert all(moved[y] == base[y] for y in range(rule.anchor_year, year))
    # The state's slot is gone: from that year on, everyone holds the year after their old one's turn.
    assert all(moved[y] == base[y + 1] for y in range(year, rule.anchor_year + 40))
