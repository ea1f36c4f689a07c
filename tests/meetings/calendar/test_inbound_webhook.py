"""The inbound webhook (Mailgun's route through django-anymail): a raw MIME reply posted with basic auth and
a fresh HMAC signature is filed by the same code as the IMAP reader, once; anything unauthenticated,
unsigned, stale or too large is refused before it is applied, the oversized one from its headers alone."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time

import pytest
from django.test import RequestFactory

from meetings.calendar.tasks import meeting_version_plan
from meetings.calendar.webhook import inbound_webhook
from meetings.models import InboundReply, Invitation
from tests.meetings.calendar.test_inbound_imap import reply_from
from tests.world.calendar import zones_scene
from tests.world.clock import NOW, clock
from tests.world.mail import deliver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued")]
URL = "/calendar/inbound/mailgun/mime"
SECRET, KEY = "mailgun:s3cret-basic", "key-test-signing"
Outcome = InboundReply.Outcome
LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def webhook_on(settings):
    settings.ITIP_WEBHOOK_SECRET, settings.ITIP_WEBHOOK_SIGNING_KEY = SECRET, KEY


def basic(secret: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def signed(raw: bytes, *, key: str = KEY, stamp: float | None = None, token: str = "tok-1") -> dict:
    stamp = str(int(time.time() if stamp is None else stamp))
    signature = hmac.new(key.encode(), f"{stamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "timestamp": stamp,
        "token": token,
        "signature": signature,
        "body-mime": raw.decode(),
        "sender": "delegate@example.org",
        "recipient": "accmsme@asean.org",
    }


def invited():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW + dt.timedelta(minutes=1))
    return w


@pytest.mark.parametrize("shape", ["outlook", "gmail", "apple"])
def test_a_signed_reply_is_recorded_once_by_the_same_code_as_imap(client, webhook_on, shape):
    w = invited()
    raw = reply_from(shape, w.people.manila, w.meeting, "ACCEPTED")
    with clock(LATER):
        for _ in range(2):  # the provider posts again (it did not see our answer): filed, not applied twice
            assert client.post(URL, signed(raw), **basic()).status_code == 200
    inv = Invitation.objects.get(meeting=w.meeting, person=w.people.manila)
    assert inv.partstat == "ACCEPTED"
    row = InboundReply.objects.get()
    assert row.outcome == Outcome.APPLIED and row.invitation == inv and row.size > 0
    reasons = [h.history_change_reason for h in inv.history.all() if h.history_change_reason]
    assert len(reasons) == 1 and reasons[0].startswith("iTIP REPLY by e-mail <")


def test_a_reply_for_an_older_version_is_refused_and_listed(client, webhook_on):
    w = invited()
    raw = reply_from("gmail", w.people.yangon, w.meeting, "DECLINED", seq=0)
    with clock(LATER):
        assert client.post(URL, signed(raw), **basic()).status_code == 200
    row = InboundReply.objects.get()
    assert row.outcome == Outcome.REFUSED and "the meeting has changed since" in row.reason
    assert Invitation.objects.get(meeting=w.meeting, person=w.people.yangon).partstat == "NEEDS-ACTION"


def test_without_auth_a_good_signature_or_a_fresh_one_nothing_is_read(client, webhook_on):
    w = invited()
    raw = reply_from("outlook", w.people.manila, w.meeting, "ACCEPTED")
    with clock(LATER):
        assert client.post(URL, signed(raw)).status_code == 401
        assert client.post(URL, signed(raw), **basic("mailgun:wrong")).status_code == 401
        assert client.post(URL, signed(raw, key="key-forged"), **basic()).status_code == 400
        assert client.post(URL, signed(raw, stamp=time.time() - 3600), **basic()).status_code == 400
        unsigned = {k: v for k, v in signed(raw).items() if k != "signature"}
        assert client.post(URL, unsigned, **basic()).status_code == 400
        assert client.get(URL, **basic()).status_code == 405
        assert not InboundReply.objects.exists()
        # The same request, properly signed and fresh, is taken: the refusals above were for their faults.
        assert client.post(URL, signed(raw), **basic()).status_code == 200
    assert InboundReply.objects.get().outcome == Outcome.APPLIED


class Unreadable:
    """A request body that must not be read."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_an_oversized_post_is_refused_from_its_headers_and_listed(webhook_on, settings):
    request = RequestFactory().generic(
        "POST",
        URL,
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.ITIP_WEBHOOK_MAX_BYTES + 1),
        **{"wsgi.input": Unreadable()},
        **basic(),
    )
    response = inbound_webhook(request, provider="mailgun")
    assert response.status_code == 406  # final for Mailgun: not posted again
    row = InboundReply.objects.get()
    assert row.outcome == Outcome.REFUSED and row.reason.startswith("too large")
    # Without the basic auth, not even a row: a stranger cannot fill the list.
    anonymous = RequestFactory().generic(
        "POST", URL, CONTENT_LENGTH=str(10**9), **{"wsgi.input": Unreadable()}
    )
    assert inbound_webhook(anonymous, provider="mailgun").status_code == 401
    assert InboundReply.objects.count() == 1


def test_the_webhook_is_off_without_its_secrets(client, settings):
    settings.ITIP_WEBHOOK_SECRET, settings.ITIP_WEBHOOK_SIGNING_KEY = SECRET, ""
    assert client.post(URL, {"body-mime": "x"}, **basic()).status_code == 404


def test_the_outbox_page_says_when_the_webhook_takes_replies(settings, webhook_on):
    from meetings.calendar.intake import inbox_state

    settings.ITIP_IMAP_URL = ""
    assert "Mailgun inbound webhook" in inbox_state()
    settings.ITIP_WEBHOOK_SIGNING_KEY = ""
    assert "Mailgun" not in inbox_state()
