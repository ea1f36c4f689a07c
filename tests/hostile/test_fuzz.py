"""Schemathesis over every operation of the API, as the Secretariat and as a delegate, logged in with a
session cookie and its CSRF token: no server error, no answer the schema does not describe. A bounded run
(a few cases per operation, half of them with ids the user can see); ``bench/fuzz.py`` runs long."""

from __future__ import annotations

import pytest

from tests.hostile.fuzzing import fuzz, fuzz_stateful

STATEFUL_SCENARIOS = 15  # a few seconds per role; bench/fuzz.py --stateful runs long


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["secretariat", "delegate"])
def test_the_api_answers_every_generated_request_as_its_schema_says(roles, role, settings):
    settings.API_THROTTLE_RATE = ""  # hundreds of requests a minute: the throttle is tested on its own
    report = fuzz(getattr(roles, role), role, max_examples=3)
    assert report.operations >= 100
    assert report.statuses[200] > 0
    assert report.server_errors == []
    assert report.violations == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["secretariat", "delegate"])
def test_linked_calls_reach_real_objects_without_a_server_error(roles, role, settings):
    """The stateful phase: what one answer creates or lists, the next call addresses by its id."""
    settings.API_THROTTLE_RATE = ""
    report = fuzz_stateful(getattr(roles, role), role, scenarios=STATEFUL_SCENARIOS, steps=6)
    assert report.cases > STATEFUL_SCENARIOS
    assert report.linked > 0, "no call used an id an earlier answer gave"
    assert report.server_errors == []
    assert report.violations == []
