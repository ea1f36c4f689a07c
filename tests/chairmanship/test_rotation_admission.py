"""The rotation never names a state chair or vice-chair for days before its admission: Timor-Leste (admitted
26 Oct 2025) is ACCMSME's vice-chair of 2025 from that day only, and no entry exception makes it chair of a
term that starts before it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chairmanship.rotation import Kind, Policy, Rule, RuleException, State, compute_rotation
from tests.chairmanship.test_rotation import ACCMSME_RULE, STATES, TL_ENTRY, term

D = dt.date.fromisoformat


def accmsme(year_from: int, year_to: int, *, exceptions=(TL_ENTRY,), states=STATES):
    return compute_rotation(
        policy=Policy.OWN_ROTATION,
        year_from=year_from,
        year_to=year_to,
        rule=ACCMSME_RULE,
        states=states,
        exceptions=exceptions,
        recorded=[term(2022, "Myanmar"), term(2023, "Philippines")],
    ).by_year()


def test_timor_leste_is_vice_chair_of_2025_from_its_admission_only():
    y2025 = accmsme(2024, 2026)[2025]
    assert (y2025.chair, y2025.vice_chair, y2025.vice_chair_from) == (
        "Thailand",
        "Timor-Leste",
        D("2025-10-26"),
    )
    assert y2025.vice_reason == "Timor-Leste is vice-chair from its admission on 26 Oct 2025; vacant before"
    assert accmsme(2024, 2026)[2026].vice_chair_from == D("2026-01-01")


def test_a_vice_chair_admitted_after_the_term_is_no_vice_chair_at_all():
    late = [s if s.name != "Timor-Leste" else State("Timor-Leste", D("2026-03-01")) for s in STATES]
    years = accmsme(2024, 2027, exceptions=(), states=late)
    # Not a member on 1 Jan 2026: the 2026 term goes to Viet Nam, so Timor-Leste is nobody's vice-chair.
    assert [years[y].chair for y in (2025, 2026)] == ["Thailand", "Viet Nam"]
    assert years[2025].vice_chair == "Viet Nam"
    # A recorded vice-chair term for a state admitted after the term ends names nobody.
    rotation = compute_rotation(
        policy=Policy.OWN_ROTATION,
        year_from=2025,
        year_to=2025,
        rule=ACCMSME_RULE,
        states=late,
        recorded=[term(2025, "Timor-Leste", role="vice_chair")],
    ).by_year()
    assert rotation[2025].vice_chair is None
    assert rotation[2025].vice_reason == "Timor-Leste, next in line, is not yet a member this term"
    # A recorded term before the admission is shown as recorded, and the rotation says what is wrong.
    rotation = compute_rotation(
        policy=Policy.OWN_ROTATION,
        year_from=2025,
        year_to=2025,
        rule=ACCMSME_RULE,
        states=late,
        recorded=[term(2025, "Timor-Leste")],
    )
    assert rotation.warnings == [
        "Timor-Leste's recorded chair term of 2025 starts on 01 Jan 2025, before its admission on 01 Mar 2026"
    ]


def test_an_entry_exception_before_admission_does_not_make_a_chair_and_is_reported():
    rotation = compute_rotation(
        policy=Policy.OWN_ROTATION,
        year_from=2024,
        year_to=2026,
        rule=Rule(2024, "Singapore"),
        states=STATES,
        exceptions=[RuleException(Kind.ENTRY, 2025, "Timor-Leste")],
    )
    years = rotation.by_year()
    assert [years[y].chair for y in (2024, 2025, 2026)] == ["Singapore", "Thailand", "Timor-Leste"]
    assert (
        "Timor-Leste is recorded as entering the order in 2025, before its admission on 26 Oct 2025: "
        "it enters with the first term after that" in rotation.warnings
    )


def test_a_body_following_the_asean_chair_inherits_the_dated_vice_chair():
    asean = compute_rotation(
        policy=Policy.OWN_ROTATION,
        year_from=2024,
        year_to=2027,
        rule=Rule(2024, "Singapore"),
        states=STATES,
    )
    follower = compute_rotation(
        policy=Policy.FOLLOWS_ASEAN_CHAIR, year_from=2024, year_to=2026, states=STATES, leader=asean
    ).by_year()
    assert (follower[2025].vice_chair, follower[2025].vice_chair_from) == ("Timor-Leste", D("2025-10-26"))


@st.composite
def admissions(draw):
    names = [f"State {c}" for c in "ABCDEFG"]
    days = draw(
        st.lists(st.integers(min_value=0, max_value=40 * 365), min_size=len(names), max_size=len(names))
    )
    states = [State(n, D("2000-01-01") + dt.timedelta(days=d)) for n, d in zip(names, days, strict=True)]
    anchor = min(states, key=lambda s: s.admitted_on)
    return states, Rule(anchor.admitted_on.year + 1, anchor.name, term_start_month=draw(st.integers(1, 12)))


@settings(max_examples=80, deadline=None)
@given(admissions())
def test_nobody_holds_a_post_before_admission(case):
    states, rule = case
    admitted = {s.name: s.admitted_on for s in states}
    rotation = compute_rotation(
        policy=Policy.OWN_ROTATION,
        year_from=rule.anchor_year,
        year_to=rule.anchor_year + 45,
        rule=rule,
        states=states,
    )
    for y in rotation.years:
        assert all(admitted[c] <= y.start for c in y.chairs), y
        if y.vice_chair:
            assert y.start <= y.vice_chair_from <= y.end and admitted[y.vice_chair] <= y.vice_chair_from, y


@pytest.mark.django_db
def test_the_timeline_draws_the_2025_vice_chair_from_26_october(seeded, make_user, client):
    client.force_login(make_user("reader"))
    html = client.get("/chairmanship/ACCMSME/timeline/?from=2024&to=2026").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    bar = re.search(
        r'data-year="2025" data-state="Timor-Leste" data-role="vice_chair">.*?<rect class="fill" x="(\d+)" y="\d+" width="(\d+)"',
        svg,
        re.S,
    )
    chair = re.search(
        r'data-year="2025" data-state="Thailand" data-role="chair">.*?<rect class="fill" x="(\d+)" y="\d+" width="(\d+)"',
        svg,
        re.S,
    )
    assert bar and chair, svg[:2000]
    x_vice, w_vice = int(bar[1]), int(bar[2])
    x_chair, w_chair = int(chair[1]), int(chair[2])
    # 26 Oct is day 298 of 365: the vice-chair's bar starts about four fifths into the chair's year.
    # (Each bar is inset 2 px on either side of its span.)
    assert 0.78 < (x_vice - x_chair) / (w_chair + 4) < 0.84 and x_vice + w_vice == x_chair + w_chair
    assert "Timor-Leste is vice-chair from its admission on 26 Oct 2025; vacant before" in html
