"""The previous meeting is read from the record when the agenda is built (not fixed when the meeting was
created), and a report is adopted only once its meeting is being or has been held."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from meetings import reports, services
from meetings.models import AgendaItem, Meeting
from tests.world.documents import pdf_bytes
from tests.world.meetings import meeting_schedule


def arising_title(m: Meeting) -> str:
    return AgendaItem.objects.get(meeting=m, standing_key="previous").title


@pytest.mark.django_db
def test_the_20th_agenda_names_the_19th_even_when_it_was_created_right_after_the_17th(world):
    # The 17th (Jakarta, May 2024) is on record from the seed; nothing after it yet.
    seventeenth = Meeting.objects.get(series=world.series, number=17)
    assert not Meeting.objects.filter(series=world.series, number__gt=17).exists()
    twentieth = meeting_schedule(
        world, number=20, start=dt.datetime(2025, 11, 12, 9), end=dt.datetime(2025, 11, 13, 17)
    )
    assert twentieth.previous_id == seventeenth.pk  # all the record held when it was created
    # The 18th and 19th are entered afterwards (the Secretariat catches up the record).
    meeting_schedule(world, number=18, start=dt.datetime(2024, 11, 5, 9), end=dt.datetime(2024, 11, 6, 17))
    nineteenth = meeting_schedule(
        world, number=19, start=dt.datetime(2025, 5, 6, 9), end=dt.datetime(2025, 5, 7, 17)
    )
    services.agenda_default_create(meeting=twentieth)
    assert arising_title(twentieth) == "Matters arising from the 19th ACCMSME Meeting"
    assert Meeting.objects.get(pk=twentieth.pk).previous_id == nineteenth.pk
    # The 19th is then cancelled: refreshing the standing items falls back on the 18th.
    services.meeting_cancel(meeting=nineteenth)
    services.agenda_standing_items_add(meeting=twentieth)
    assert arising_title(twentieth) == "Matters arising from the 18th ACCMSME Meeting"
    assert AgendaItem.objects.filter(meeting=twentieth, standing_key="previous").count() == 1


@pytest.fixture
def report(world, media, monkeypatch):
    monkeypatch.setattr(reports, "report_pdf", lambda *, html: pdf_bytes(html[:40]))
    m = meeting_schedule(world, confirm=True)  # 13-14 May 2026, Hanoi
    services.agenda_item_add(meeting=m, title="Financing")
    with freeze_time(dt.datetime(2026, 5, 14, 3, tzinfo=dt.UTC)):
        return services.report_generate(meeting=m)


@pytest.mark.django_db
def test_a_report_is_not_adopted_on_a_day_still_to_come(report):
    with freeze_time(dt.datetime(2026, 5, 13, 3, tzinfo=dt.UTC)), pytest.raises(ValidationError) as exc:
        services.report_adopt(report=report, mode="at_meeting", on=dt.date(2026, 5, 14))  # tomorrow in Hanoi
    assert exc.value.message_dict["adopted_on"] == ["14 May 2026 is still to come at the meeting's venue."]
    with freeze_time(dt.datetime(2026, 5, 14, 10, tzinfo=dt.UTC)):
        adopted = services.report_adopt(report=report, mode="at_meeting", on=dt.date(2026, 5, 14))
    assert adopted.status == "adopted"


@pytest.mark.django_db
def test_ad_referendum_means_after_the_meeting_and_not_in_the_future(report):
    with freeze_time(dt.datetime(2026, 6, 1, 3, tzinfo=dt.UTC)):
        with pytest.raises(ValidationError) as exc:
            services.report_adopt(report=report, mode="ad_referendum", on=dt.date(2026, 5, 13))
        assert exc.value.message_dict["adopted_on"] == [
            "Ad referendum means after the meeting: from 14 May 2026."
        ]
        with pytest.raises(ValidationError) as exc:
            services.report_adopt(report=report, mode="ad_referendum", on=dt.date(2026, 7, 1))
        assert "still to come" in exc.value.message_dict["adopted_on"][0]
        adopted = services.report_adopt(report=report, mode="ad_referendum", on=dt.date(2026, 5, 30))
    assert (adopted.adoption_mode, adopted.adopted_on) == ("ad_referendum", dt.date(2026, 5, 30))


@pytest.mark.django_db
def test_a_cancelled_meetings_report_is_not_adopted(report):
    services.meeting_cancel(meeting=report.meeting)
    with freeze_time(dt.datetime(2026, 6, 1, 3, tzinfo=dt.UTC)), pytest.raises(ValidationError) as exc:
        services.report_adopt(report=report, mode="ad_referendum", on=dt.date(2026, 5, 30))
    assert exc.value.message_dict["report"] == ["The meeting is cancelled: not held."]
