"""The handover page: completing asks first (what happens, whose rights move, that nobody is e-mailed) and
its POST without the confirmation is refused; the checklist is one form, all rows saved at once or none."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from chairmanship import handovers
from chairmanship.models import Handover, HandoverItem
from tests.world.build import client_as
from tests.world.clock import at
from tests.world.handover import build_scenario


@pytest.fixture
def s(seeded, make_user):
    scenario = build_scenario(make_user)
    HandoverItem.objects.bulk_create(
        [
            HandoverItem(
                handover=scenario.handover, kind="other", label="Pass on the contact list", position=91
            ),
            HandoverItem(
                handover=scenario.handover, kind="other", label="Brief the incoming chair", position=92
            ),
        ]
    )
    return scenario


@pytest.mark.django_db
@freeze_time(at(2030, 12, 20, 10))
def test_completing_asks_first_and_is_refused_unconfirmed(s):
    sec = client_as(s.secretariat)
    url = f"/chairmanship/handovers/{s.handover.pk}/complete/"
    r = sec.get(url, {"bring_forward": "on"})
    assert r.status_code == 200
    c = r.context["c"]
    assert c["mailed"] == "Nobody is e-mailed."
    assert (
        "effective today" in c["effects"][0]
        and "Ina-Head" in c["effects"][1]
        and "Lao-Head" in c["effects"][1]
    )
    assert c["carry"] == {"bring_forward": "on"}
    r = sec.post(url, {"bring_forward": "on"})
    assert r.status_code == 400
    assert Handover.objects.get(pk=s.handover.pk).status != Handover.Status.COMPLETED
    assert sec.post(url, {"bring_forward": "on", "confirmed": "yes"}).status_code == 302
    assert Handover.objects.get(pk=s.handover.pk).status == Handover.Status.COMPLETED


@pytest.mark.django_db
def test_the_checklist_saves_every_row_at_once(s):
    first, second = HandoverItem.objects.filter(handover=s.handover, position__gt=90).order_by("position")
    sec = client_as(s.secretariat)
    url = f"/chairmanship/handovers/{s.handover.pk}/checklist/"
    r = sec.post(
        url, {f"done_{first.pk}": "on", f"comment_{first.pk}": "Sent", f"comment_{second.pk}": "Friday"}
    )
    assert r.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_done, first.comment, second.is_done, second.comment) == (True, "Sent", False, "Friday")


@pytest.mark.django_db
def test_a_refused_checklist_save_stores_nothing_and_keeps_what_was_typed(s):
    first, second = HandoverItem.objects.filter(handover=s.handover, position__gt=90).order_by("position")
    handovers.handover_cancel(handover=s.handover)
    r = client_as(s.secretariat).post(
        f"/chairmanship/handovers/{s.handover.pk}/checklist/",
        {f"comment_{first.pk}": "Typed one", f"comment_{second.pk}": "Typed two"},
    )
    assert r.status_code == 409
    html = r.content.decode()
    assert "Nothing was saved" in html and "Typed one" in html and "Typed two" in html
    assert set(
        HandoverItem.objects.filter(pk__in=[first.pk, second.pk]).values_list("comment", flat=True)
    ) == {""}
