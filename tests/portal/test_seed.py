import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chairmanship.models import ChairTerm
from governance.models import Body, MemberState, ReportingLine, StrategicGoal


@pytest.mark.django_db
def test_seed_loads_the_real_structure(seeded):
    assert MemberState.objects.count() == 11
    assert MemberState.objects.get(iso2="LA").short_name == "Lao PDR"
    assert MemberState.objects.get(iso2="VN").short_name == "Viet Nam"
    assert MemberState.objects.get(iso2="MM").timezone == "Asia/Yangon"
    assert set(Body.objects.values_list("acronym", flat=True)) >= {
        "AEM",
        "SEOM",
        "ACCMSME",
        "ACCMSME TF-A",
        "ACCMSME TF-B",
        "ASEAN SMEAB",
        "AEC Council",
        "ASEAN Summit",
    }
    assert list(
        StrategicGoal.objects.filter(plan__short_name="SAP SMED 2025").values_list("code", flat=True)
    ) == ["A", "B", "C", "D", "E"]
    assert (
        ChairTerm.objects.get(body__acronym="ACCMSME", start_date=dt.date(2022, 1, 1)).member_state.short_name
        == "Myanmar"
    )


@pytest.mark.django_db
def test_membership_is_dated(seeded):
    assert MemberState.objects.members_on(dt.date(2025, 10, 1)).count() == 10
    assert MemberState.objects.members_on(dt.date(2025, 11, 1)).count() == 11
    assert not MemberState.objects.members_on(dt.date(2025, 10, 25)).filter(iso2="TL").exists()
    assert MemberState.objects.members_on(dt.date(2025, 10, 26)).filter(iso2="TL").exists()


@pytest.mark.django_db
def test_uncertain_facts_are_marked_not_hidden(seeded):
    assert Body.objects.get(acronym="ACCMSME TF-A").certainty == "to_confirm"
    assert (
        StrategicGoal.objects.filter(plan__short_name="AEC SP 2026-2030", certainty="to_confirm").count() == 6
    )


@pytest.mark.django_db
def test_second_run_changes_nothing_and_says_so(seeded, capsys):
    before = {m: m.objects.count() for m in (MemberState, Body, ReportingLine, ChairTerm)}
    call_command("seed_asean")
    out = capsys.readouterr().out
    assert out.startswith("Nothing to do:")
    assert {m: m.objects.count() for m in before} == before


@pytest.mark.django_db
def test_seed_never_overwrites_a_corrected_row_and_reports_it(seeded, capsys):
    # The Secretariat moves Indonesia's capital zone (the Nusantara question, docs/decisions/0013).
    MemberState.objects.filter(iso2="ID").update(timezone="Asia/Makassar")
    call_command("seed_asean")
    out = capsys.readouterr().out
    assert "member state Indonesia: timezone: stored 'Asia/Makassar', data file 'Asia/Jakarta'" in out
    assert MemberState.objects.get(iso2="ID").timezone == "Asia/Makassar"


@pytest.mark.django_db
def test_seed_refuses_a_broken_file_with_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "member_states:\n  - {short_name: X, official_name: X, iso2: XX, iso3: XXX, capital: X, timezone: Mars/Olympus, zone_label: '', admitted_on: 2020-01-01}\n"
    )
    with pytest.raises(CommandError, match="Mars/Olympus is not an IANA time zone"):
        call_command("seed_asean", file=str(bad))
    assert MemberState.objects.count() == 0
