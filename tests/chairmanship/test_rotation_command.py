"""``manage.py rotation``: the real chairs and a forecast, writing missing terms once, refusing bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chairmanship.models import ChairTerm, RotationException
from chairmanship.terms import rotation_apply
from governance.models import Body, MemberState
from tests import PROJECT_ROOT
from tests.world.asean import ASEAN_RECORD


def run(*args) -> dict[int, tuple[str, str, str, str]]:
    """Year -> (chair, vice-chair, status, reason), parsed from the printed table."""
    from io import StringIO

    out = StringIO()
    call_command("rotation", *args, stdout=out)
    rows = {}
    for line in out.getvalue().splitlines():
        m = re.match(r"^(\d{4})  (.+?)\s{2,}(.+?)\s{2,}(recorded|computed|PROVISIONAL|none)\s+(.*)$", line)
        if m:
            rows[int(m[1])] = (m[2], m[3], m[4], m[5])
    return rows


@pytest.mark.django_db
def test_it_prints_the_real_asean_chairs_and_a_forecast(seeded):
    rows = run("ASEAN Summit", "--from", "2015", "--to", "2030")
    assert [rows[y][0] for y in range(2015, 2027)] == list(ASEAN_RECORD.values())
    assert all(rows[y][2] == "recorded" for y in range(2015, 2027))
    assert [rows[y][0] for y in range(2027, 2031)] == ["Singapore", "Thailand", "Timor-Leste", "Viet Nam"]
    assert all(rows[y][2] == "PROVISIONAL" for y in range(2027, 2031))
    assert rows[2026][3] == "Recorded: Myanmar deferred its turn"
    assert rows[2029][3].endswith("Timor-Leste entered the order in 2026 (to confirm)")


@pytest.mark.django_db
def test_it_prints_accmsmes_own_rotation_with_vice_chairs(seeded):
    rows = run("ACCMSME", "--from", "2022", "--to", "2035")
    assert rows[2022][:3] == ("Myanmar", "Philippines", "recorded")
    assert rows[2023][:3] == ("Philippines", "Singapore", "recorded")
    assert rows[2024][:3] == ("Singapore", "Thailand", "PROVISIONAL")
    assert rows[2026] == (
        "Timor-Leste",
        "Viet Nam",
        "PROVISIONAL",
        "Timor-Leste entered the order in 2026 (to confirm)",
    )
    assert rows[2035][0] == "Singapore"
    assert (
        rows[2022][0] != run("ASEAN Summit", "--from", "2022", "--to", "2022")[2022][0]
    )  # not the ASEAN Chair


@pytest.mark.django_db
def test_apply_writes_the_missing_terms_once(seeded):
    accmsme = Body.objects.get(acronym="ACCMSME")
    call_command("rotation", "ACCMSME", "--from", "2022", "--to", "2030", "--apply", "--quiet")
    terms = ChairTerm.objects.filter(body=accmsme).order_by("start_date")
    assert [(t.start_date.year, t.member_state.short_name, t.is_provisional) for t in terms] == [
        (2022, "Myanmar", False),
        (2023, "Philippines", False),
        (2024, "Singapore", True),
        (2025, "Thailand", True),
        (2026, "Timor-Leste", True),
        (2027, "Viet Nam", True),
        (2028, "Brunei Darussalam", True),
        (2029, "Cambodia", True),
        (2030, "Indonesia", True),
    ]
    tl = terms.get(start_date=dt.date(2026, 1, 1))
    assert (tl.end_date, tl.certainty) == (dt.date(2026, 12, 31), "to_confirm")
    before = list(terms.values_list("pk", "member_state_id", "start_date", "end_date", "reason"))
    from io import StringIO

    out = StringIO()
    call_command("rotation", "ACCMSME", "--from", "2022", "--to", "2030", "--apply", stdout=out)
    assert "Applied: created 0, updated 0, unchanged 7, kept as recorded 0" in out.getvalue()
    assert list(terms.values_list("pk", "member_state_id", "start_date", "end_date", "reason")) == before


@pytest.mark.django_db
def test_apply_never_rewrites_a_recorded_term_nor_one_that_started(seeded):
    accmsme = Body.objects.get(acronym="ACCMSME")
    rotation_apply(body=accmsme, year_from=2024, year_to=2030, today=dt.date(2026, 3, 2))
    # A decision on record for 2028 that the rule did not foresee.
    ChairTerm.objects.filter(body=accmsme, start_date=dt.date(2028, 1, 1)).update(
        member_state=MemberState.objects.get(iso2="MY"), is_provisional=False
    )
    # Viet Nam skips 2027: the forecast from 2027 moves up a year.
    RotationException.objects.create(
        body=accmsme, kind="skip", year=2027, member_state=MemberState.objects.get(iso2="VN")
    )
    _, report = rotation_apply(body=accmsme, year_from=2024, year_to=2030, today=dt.date(2027, 3, 2))
    by_year = {
        t.start_date.year: (t.member_state.short_name, t.is_provisional)
        for t in ChairTerm.objects.filter(body=accmsme, start_date__year__gte=2024)
    }
    assert by_year[2027] == ("Viet Nam", True)  # started on 1 Jan 2027: left as it is, reported
    assert by_year[2028] == ("Malaysia", False)  # recorded: never rewritten
    assert by_year[2029] == ("Indonesia", True)  # provisional and in the future: follows the rule
    assert report.updated == ["2029 Indonesia", "2030 Lao PDR"]
    assert report.kept == ["2027: stored Viet Nam, rule Brunei Darussalam"]


@pytest.mark.django_db
def test_quiet_prints_nothing(seeded, capsys):
    call_command("rotation", "ACCMSME", "--from", "2022", "--to", "2024", "--quiet")
    assert capsys.readouterr().out == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args,message",
    [
        (("XYZ", "--from", "2024", "--to", "2030"), "unknown body 'XYZ' (known: ACCMSME, "),
        (("ACCMSME", "--from", "2030", "--to", "2024"), "--from 2030 is after --to 2024"),
        (("ACCMSME", "--from", "2000", "--to", "2300"), "at most 200 years at a time"),
    ],
)
def test_bad_input_fails_with_one_line(seeded, args, message):
    with pytest.raises(CommandError) as caught:
        call_command("rotation", *args)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_bad_command_line_exits_non_zero(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "manage.py", "rotation", "ACCMSME", "--from", "2030", "--to", "2024"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == "CommandError: --from 2030 is after --to 2024"
