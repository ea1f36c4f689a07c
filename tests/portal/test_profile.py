"""The profile page: the time zone defaults to the capital of one's state and can be set."""

from __future__ import annotations

import pytest

from governance.models import Person

pytestmark = pytest.mark.django_db


def test_profile_time_zone_defaults_to_the_capital_and_can_be_set(client, zones):
    person = zones.people.yangon
    client.force_login(person.user)
    page = client.get("/accounts/profile/").content.decode()
    assert "Default: Nay Pyi Taw time, capital of Myanmar (Asia/Yangon)" in page
    assert 'data-zone="Asia/Yangon"' in page and "js/timezone.js" in page
    assert client.post("/accounts/profile/", {"timezone": "Mars/Olympus"}).status_code == 200
    assert Person.objects.get(pk=person.pk).timezone == ""
    assert client.post("/accounts/profile/", {"timezone": "Europe/Brussels"}).status_code == 302
    assert Person.objects.get(pk=person.pk).effective_timezone == "Europe/Brussels"
    client.post("/accounts/profile/", {"timezone": ""})
    assert Person.objects.get(pk=person.pk).effective_timezone == "Asia/Yangon"
