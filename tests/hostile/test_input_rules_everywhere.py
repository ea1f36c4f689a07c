"""The input rules reach every field a person types: each one-line text field of every model refuses control
characters (it ends up in a mail header, a calendar file, a PDF or a page title), each date a person gives is
held to 1967–2100, and every form of every app carries the rules. A new field or form is caught here."""

from __future__ import annotations

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.urls import get_resolver

from governance.input_rules import InputRulesMixin, date_in_range, single_line

PRODUCT_APPS = ("governance", "chairmanship", "meetings", "outbox", "portal")

# One-line text the product writes itself, never typed by a person (and so never holding what a person
# typed unchecked): keys, hashes, tokens, codes and what it records as it happened.
WRITTEN_BY_THE_PRODUCT = {
    "governance.Person.feed_token": "a random token",
    "governance.AuditEvent.action": "an action name from the code",
    "governance.AuditEvent.object_type": "a model label",
    "governance.AuditEvent.summary": "written by the code from checked records",
    "governance.AccountNotice.invited_by": "a user name or the Secretariat's name",
    "meetings.Meeting.uid": "the calendar UID the product makes",
    "meetings.Document.content_type": "the type the upload check found",
    "meetings.Document.sha256": "a hash",
    "meetings.AgendaItem.standing_key": "a key from the body's conventions",
    "meetings.DocumentDownload.download_id": "a random id",
    "meetings.DocumentDownload.document_title": "copied from the checked document title",
    "meetings.DocumentDownload.recipient": "a user name",
    "meetings.DocumentDownload.delegation": "a member state's checked name",
    "meetings.DocumentDownload.note": "written by the code",
    "meetings.DocumentDownload.sha256": "a hash",
    "meetings.MeetingPack.fingerprint": "a hash",
    "meetings.MeetingPack.sha256": "a hash",
    "meetings.Invitation.earlier_partstat": "a PARTSTAT the code copies",
    "meetings.ReportJob.step": "a step name from the code",
}
# What an incoming mail said, kept as received for the Secretariat to read and never sent on: refusing it
# would lose the record of what arrived.
AS_RECEIVED = {
    f"meetings.InboundReply.{name}": "kept as received"
    for name in ("key", "sender", "subject", "reason", "uid", "attendee", "partstat")
}
# The outbox sits below governance (it may not import the rules) and holds only what the product wrote:
# keys, kinds, server names and the subject as sent, built from checked fields.
OUTBOX = {
    f"outbox.{model}.{name}": "written by the product, below the rules' layer"
    for model, name in (
        ("Message", "key"),
        ("Message", "kind"),
        ("Message", "note"),
        ("Message", "msgid"),
        ("Message", "subject"),
        ("MailServer", "name"),
        ("Heartbeat", "name"),
    )
}
NOT_TYPED_TEXT = WRITTEN_BY_THE_PRODUCT | AS_RECEIVED | OUTBOX

# Dates (not moments) not held to 1967–2100: chair terms and handovers are planned from the rotation as far
# ahead as asked (docs/decisions/0042); the rest are days the product computes.
UNBOUNDED_DATES = {
    "chairmanship.ChairTerm.start_date": "planned from the rotation, any year ahead",
    "chairmanship.ChairTerm.end_date": "planned from the rotation, any year ahead",
    "chairmanship.Handover.effective_date": "follows the chair terms",
    "meetings.ActionItemNotice.due_date": "copied by the code from the action item",
    "meetings.DigestNotice.day": "the day the digest is for, computed",
    "meetings.WrittenProcedure.opened_on": "the day it opened, computed",
}


def product_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in PRODUCT_APPS and not m.__name__.startswith("Historical")
    ]


def label(model, field) -> str:
    return f"{model._meta.label}.{field.name}"


def one_line_text_fields() -> list[str]:
    found = []
    for model in product_models():
        for field in model._meta.concrete_fields:
            # Email and URL fields are checked by their own validators; choices hold only the choices.
            if (
                isinstance(field, models.CharField)
                and not isinstance(field, models.EmailField | models.URLField)
                and not field.choices
            ):
                found.append((label(model, field), field))
    return found


def test_every_one_line_text_field_refuses_control_characters():
    fields = one_line_text_fields()
    assert len(fields) > 60
    missing = [
        name for name, field in fields if single_line not in field.validators and name not in NOT_TYPED_TEXT
    ]
    assert not missing, (
        f"give these the single_line validator, or a reasoned place in a list above: {missing}"
    )
    stale = set(NOT_TYPED_TEXT) - {name for name, _ in fields}
    assert not stale, f"listed fields that are no longer one-line text: {stale}"


def test_every_date_a_person_gives_is_held_to_the_range():
    dates = [
        (label(model, field), field)
        for model in product_models()
        for field in model._meta.concrete_fields
        if type(field) is models.DateField
    ]
    missing = [
        name for name, field in dates if date_in_range not in field.validators and name not in UNBOUNDED_DATES
    ]
    assert not missing, f"hold these to 1967–2100 (date_in_range) or say why not: {missing}"
    assert set(UNBOUNDED_DATES) <= {name for name, _ in dates}


def product_forms() -> list[type[forms.BaseForm]]:
    get_resolver().url_patterns  # noqa: B018 (loads every view module and with it every form)
    found, todo = [], list(forms.BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.split(".")[0] in PRODUCT_APPS:
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


FORMS = product_forms()


def test_the_walk_finds_the_forms():
    assert {"MeetingForm", "AgendaItemForm", "InviteForm", "ProfileForm"} <= {f.__name__ for f in FORMS}


@pytest.mark.parametrize("form", FORMS, ids=[f.__qualname__ for f in FORMS])
def test_every_form_carries_the_input_rules(form):
    assert issubclass(form, InputRulesMixin), f"{form.__module__}.{form.__qualname__}: add InputRulesMixin"


@pytest.mark.django_db
def test_a_model_form_of_any_app_refuses_a_line_break(roles):
    """The admin's forms are model forms: the model's validators refuse a line break in a body's name."""
    from django.forms import modelform_factory

    from governance.models import Body

    form = modelform_factory(Body, fields=["name"])({"name": "Task force\r\nBcc: x@example.org"})
    assert not form.is_valid()
    assert "one line" in str(form.errors["name"])
