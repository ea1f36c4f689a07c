"""The per-day choices are held by the database, not only by ``preference_save``: a write that bypasses
the service (an update(), raw SQL) with a day that is no positive whole number, a channel not offered or
something that is no JSON object is refused, and nothing is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from meetings.calendar.preferences import preference_save
from meetings.models import NotificationPreference
from tests.world.people import person_make

pytestmark = pytest.mark.django_db
GENERAL = dict(reminders=True, chasers=True, delivery="immediate", alarm=True)
BAD = [{"0": "off"}, {"-1": "off"}, {"7": "weekly"}, {"seven": "off"}, {"7": ["off"]}, [7, 1], "off", 7]


@pytest.fixture
def pref():
    return preference_save(
        person=person_make("ana-prefs"), reminder_days={7: "digest"}, chaser_days={1: "off"}, **GENERAL
    )


@pytest.mark.parametrize("field", ["reminder_days", "chaser_days"])
@pytest.mark.parametrize("bad", BAD, ids=repr)
def test_a_bad_map_written_past_the_service_is_refused_by_the_database(pref, field, bad):
    before = NotificationPreference.objects.values_list("reminder_days", "chaser_days").get(pk=pref.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationPreference.objects.filter(pk=pref.pk).update(**{field: bad})
    after = NotificationPreference.objects.values_list("reminder_days", "chaser_days").get(pk=pref.pk)
    assert after == before == ({"7": "digest"}, {"1": "off"})


def test_raw_sql_is_refused_too_and_a_good_map_in_any_spacing_is_taken(pref):
    table = NotificationPreference._meta.db_table
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql = f"UPDATE {table} SET reminder_days = %s{cast} WHERE id = %s"
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, ['{"7": "digest", "0": "off"}', pref.pk])
    with connection.cursor() as cur:  # written by hand, compact: still a good map
        cur.execute(sql, ['{"14":"off","1":"immediate"}', pref.pk])
    pref.refresh_from_db()
    assert pref.reminder_days == {"14": "off", "1": "immediate"}


@pytest.mark.parametrize("good", [{}, {"1": "off"}, {"7": "digest", "1": "immediate", "30": "off"}], ids=repr)
def test_every_map_the_service_writes_passes_the_check(good):
    pref = preference_save(person=person_make("ben-prefs"), reminder_days=good, chaser_days=good, **GENERAL)
    pref.refresh_from_db()
    assert pref.reminder_days == pref.chaser_days == good
    pref.full_clean()  # Django's own validation of the constraint agrees


def test_model_validation_names_the_constraint(pref):
    pref.chaser_days = {"7": "weekly"}
    with pytest.raises(ValidationError, match="Chaser days: each a whole number of days"):
        pref.full_clean()
