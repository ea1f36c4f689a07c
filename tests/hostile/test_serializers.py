"""The API's serializers against the model and the services: every serializer of a model with database
constraints checks them first (a breach is a 400 naming the field, never an IntegrityError), and the
writable fields of the meeting and agenda item serializers are the services' editable sets, not a copy."""

from __future__ import annotations

import pytest
from django.urls import get_resolver
from rest_framework import serializers

from governance.api_support import MirrorsConstraints
from meetings.api.agenda import AGENDA_ITEM_PLACEMENT, AgendaItemSerializer
from meetings.api.meetings import MEETING_SET_ON_CREATE, MeetingSerializer
from meetings.services.agenda import AGENDA_ITEM_FIELDS
from meetings.services.meetings import MEETING_EDITABLE
from tests.world.build import api_as

PRODUCT_APPS = ("governance", "chairmanship", "meetings", "outbox", "portal")


def product_model_serializers() -> list[type[serializers.ModelSerializer]]:
    """Every ModelSerializer the product defines: the URL configuration imports every API module."""
    get_resolver().url_patterns  # noqa: B018 (loads the URL modules and with them the serializers)
    found, todo = [], list(serializers.ModelSerializer.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.split(".")[0] in PRODUCT_APPS and hasattr(getattr(cls, "Meta", None), "model"):
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


SERIALIZERS = product_model_serializers()
CONSTRAINED = [s for s in SERIALIZERS if s.Meta.model._meta.constraints]


def test_the_walk_finds_the_api_serializers():
    names = {s.__name__ for s in SERIALIZERS}
    assert {"MeetingSerializer", "AgendaItemSerializer", "BodySerializer", "ChairTermSerializer"} <= names
    assert len(CONSTRAINED) >= 15


@pytest.mark.parametrize("serializer", CONSTRAINED, ids=[s.__qualname__ for s in CONSTRAINED])
def test_a_serializer_of_a_constrained_model_checks_the_constraints(serializer):
    model = serializer.Meta.model
    names = {c.name for c in model._meta.constraints}
    assert issubclass(serializer, MirrorsConstraints), (
        f"{serializer.__qualname__} writes {model.__name__}, whose constraints {sorted(names)} would reach "
        "the database as an IntegrityError: add MirrorsConstraints"
    )
    # An exemption names a constraint the model really has (a renamed one would silently be checked).
    assert set(serializer.constraints_left_to_service) <= names


@pytest.mark.django_db
def test_a_breach_is_a_400_naming_the_field(roles):
    api = api_as(roles.secretariat)
    base = {"body": roles.accmsme.pk, "title": "Special", "timezone": "Asia/Manila", "modality": "in_person"}
    r = api.post(
        "/api/v1/meetings/", {**base, "start": "2030-05-14T09:00", "end": "2030-05-13T09:00"}, format="json"
    )
    assert r.status_code == 400 and "end" in r.json(), r.content  # meeting_end_after_start
    r = api.post(
        "/api/v1/meetings/",
        {**base, "start": "2030-05-13T09:00", "end": "2030-05-14T09:00", "modality": "hybrid"},
        format="json",
    )
    assert r.status_code == 400 and "join_url" in r.json(), r.content  # meeting_hybrid_has_link
    r = api.patch(
        f"/api/v1/action-items/{roles.action.pk}/",
        {"owner_state": None, "owner_person": None, "owner_body": None},
        format="json",
    )
    assert r.status_code == 400, r.content  # actionitem_has_owner
    assert set(r.json()) & {"owner_state", "owner_person", "owner_body"}, r.content


def writable(serializer_class) -> set[str]:
    fields = serializer_class().fields
    return {name for name, field in fields.items() if not field.read_only}


def test_the_meeting_serializer_writes_what_the_service_lets_change():
    assert writable(MeetingSerializer) == MEETING_EDITABLE | MEETING_SET_ON_CREATE


def test_the_agenda_item_serializer_writes_what_the_service_lets_change():
    assert writable(AgendaItemSerializer) == AGENDA_ITEM_FIELDS | AGENDA_ITEM_PLACEMENT
