"""Calendar replies posted by Postmark, SendGrid and Amazon SES (besides Mailgun, ``test_inbound_webhook``)
through django-anymail's inbound views: each provider's payload as it posts it (Postmark's inbound JSON with
and without RawEmail, SendGrid's Inbound Parse form parsed and raw, an SNS notification of an SES receipt
rule's SNS action in base64 and UTF-8) is filed by the IMAP reader's code, once per Message-ID whichever
provider posts it; each is verified as anymail verifies it (basic auth; SNS headers matching the body);
an oversized post is refused from its headers with the status its provider takes as final."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import json
import logging
import uuid
from email.utils import parseaddr

import pytest
from anymail.exceptions import AnymailConfigurationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from meetings.calendar.intake import inbox_state
from meetings.calendar.tasks import meeting_version_plan
from meetings.calendar.webhook import inbound_webhook
from meetings.models import InboundReply, Invitation
from tests.meetings.calendar.test_inbound_imap import reply_from
from tests.meetings.calendar.test_inbound_webhook import Unreadable
from tests.world.calendar import zones_scene
from tests.world.clock import NOW, clock
from tests.world.mail import deliver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued")]
SECRET = "inbound:s3cret-basic"
ORGANIZER = "accmsme@asean.org"
TOPIC = "arn:aws:sns:us-east-1:123456789012:accmsme-inbound"
Outcome = InboundReply.Outcome
LATER = NOW + dt.timedelta(hours=1)
URL = {p: f"/calendar/inbound/{p}/" for p in ("postmark", "sendgrid", "amazon-ses")}


@pytest.fixture
def webhook_on(settings):
    # No Mailgun signing key: the providers checked by basic auth alone are on without it.
    settings.ITIP_WEBHOOK_SECRET, settings.ITIP_WEBHOOK_SIGNING_KEY = SECRET, ""


def basic(secret: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def attachments_of(msg) -> list:
    return [p for p in msg.walk() if not p.is_multipart() and p.get_filename()]


def text_of(msg) -> str:
    part = msg.get_body(("plain",))
    return part.get_content() if part is not None else ""


# --- Each provider's payload, as it posts it -----------------------------------------------------------------


def postmark(raw: bytes, *, with_raw: bool = True) -> dict:
    """Postmark's inbound webhook JSON; with "Include raw email content in JSON payload" on, RawEmail too.
    Without it, the calendar file arrives as one of the Attachments (base64 ``Content``)."""
    msg = parsed(raw)
    name, addr = parseaddr(str(msg["From"]))
    split = ("From", "To", "Cc", "Subject", "Date", "Reply-To")
    data = {
        "FromName": name,
        "MessageStream": "inbound",
        "From": addr,
        "FromFull": {"Email": addr, "Name": name, "MailboxHash": ""},
        "To": ORGANIZER,
        "ToFull": [{"Email": ORGANIZER, "Name": "", "MailboxHash": ""}],
        "Cc": "",
        "CcFull": [],
        "Bcc": "",
        "BccFull": [],
        "OriginalRecipient": ORGANIZER,
        "Subject": str(msg["Subject"]),
        "MessageID": str(uuid.uuid4()),  # Postmark's own id; the message's is in Headers
        "ReplyTo": "",
        "MailboxHash": "",
        "Date": str(msg["Date"]),
        "TextBody": text_of(msg),
        "HtmlBody": "",
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": [{"Name": "Return-Path", "Value": f"<{addr}>"}]
        + [{"Name": k, "Value": str(v)} for k, v in msg.items() if k not in split],
        "Attachments": [
            {
                "Name": part.get_filename(),
                "Content": base64.b64encode(part.get_payload(decode=True)).decode(),
                "ContentType": part.get_content_type(),
                "ContentLength": len(part.get_payload(decode=True)),
            }
            for part in attachments_of(msg)
        ],
    }
    if with_raw:
        data["RawEmail"] = raw.decode()
    return data


def sendgrid(raw: bytes, *, send_raw: bool = True) -> dict:
    """SendGrid's Inbound Parse form: with "POST the raw, full MIME message" the message is the ``email``
    field; without it, the header block, the text and each attachment a file named in attachment-info."""
    msg = parsed(raw)
    addr = parseaddr(str(msg["From"]))[1]
    data = {
        "dkim": "{@example.org : pass}",
        "to": ORGANIZER,
        "from": str(msg["From"]),
        "sender_ip": "209.85.220.41",
        "spam_report": "Spam detection software has NOT identified this incoming email as spam.",
        "envelope": json.dumps({"to": [ORGANIZER], "from": addr}),
        "subject": str(msg["Subject"]),
        "spam_score": "0.012",
        "charsets": json.dumps({"to": "UTF-8", "from": "UTF-8", "subject": "UTF-8", "text": "utf-8"}),
        "SPF": "pass",
    }
    if send_raw:
        return {**data, "email": raw.decode()}
    files = attachments_of(msg)
    data.update(
        {
            "headers": raw.split(b"\n\n", 1)[0].decode() + "\n",
            "text": text_of(msg),
            "content-ids": "{}",
            "attachments": str(len(files)),
            "attachment-info": json.dumps(
                {
                    f"attachment{i}": {
                        "filename": p.get_filename(),
                        "name": p.get_filename(),
                        "type": p.get_content_type(),
                    }
                    for i, p in enumerate(files, 1)
                }
            ),
        }
    )
    for i, part in enumerate(files, 1):
        data[f"attachment{i}"] = SimpleUploadedFile(
            part.get_filename(), part.get_payload(decode=True), content_type=part.get_content_type()
        )
    return data


def ses(raw: bytes, *, encoding: str = "BASE64", action: str = "SNS") -> tuple[str, dict]:
    """An SNS notification of an SES receipt rule's SNS action (the message inside, base64 or UTF-8),
    with the headers SNS sends; returns the body and the headers."""
    msg = parsed(raw)
    addr = parseaddr(str(msg["From"]))[1]
    act = {"type": action, "topicArn": TOPIC}
    act.update({"encoding": encoding} if action == "SNS" else {"bucketName": "replies", "objectKey": "k1"})
    event = {
        "notificationType": "Received",
        "mail": {
            "timestamp": "2026-03-03T01:00:00.000Z",
            "source": addr,
            "messageId": uuid.uuid4().hex,
            "destination": [ORGANIZER],
            "headersTruncated": False,
            "headers": [{"name": k, "value": str(v)} for k, v in msg.items()],
            "commonHeaders": {
                "returnPath": addr,
                "from": [str(msg["From"])],
                "date": str(msg["Date"]),
                "to": [ORGANIZER],
                "messageId": str(msg["Message-ID"]),
                "subject": str(msg["Subject"]),
            },
        },
        "receipt": {
            "timestamp": "2026-03-03T01:00:00.000Z",
            "processingTimeMillis": 357,
            "recipients": [ORGANIZER],
            "spamVerdict": {"status": "PASS"},
            "virusVerdict": {"status": "PASS"},
            "spfVerdict": {"status": "PASS"},
            "dkimVerdict": {"status": "PASS"},
            "dmarcVerdict": {"status": "PASS"},
            "action": act,
        },
    }
    if action == "SNS":
        event["content"] = base64.b64encode(raw).decode() if encoding == "BASE64" else raw.decode()
    return sns("Notification", Message=json.dumps(event), Subject="Amazon SES Email Receipt Notification")


def sns(kind: str, **fields) -> tuple[str, dict]:
    message_id = str(uuid.uuid4())
    body = {
        "Type": kind,
        "MessageId": message_id,
        "TopicArn": TOPIC,
        "Timestamp": "2026-03-03T01:00:00.400Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
        **fields,
    }
    headers = {
        "HTTP_X_AMZ_SNS_MESSAGE_TYPE": kind,
        "HTTP_X_AMZ_SNS_MESSAGE_ID": message_id,
        "HTTP_X_AMZ_SNS_TOPIC_ARN": TOPIC,
    }
    return json.dumps(body), headers


def post(client, shape: str, raw: bytes, **auth):
    """Post ``raw`` as the provider ``shape`` (``postmark``, ``sendgrid-parsed``, ``ses-utf8``…) posts it."""
    auth = auth or basic()
    if shape.startswith("postmark"):
        body = postmark(raw, with_raw=shape == "postmark")
        return client.post(URL["postmark"], json.dumps(body), content_type="application/json", **auth)
    if shape.startswith("sendgrid"):
        return client.post(URL["sendgrid"], sendgrid(raw, send_raw=shape == "sendgrid"), **auth)
    body, headers = ses(raw, encoding="UTF8" if shape == "ses-utf8" else "BASE64")
    return client.post(URL["amazon-ses"], body, content_type="text/plain; charset=UTF-8", **headers, **auth)


def invited():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    deliver(NOW + dt.timedelta(minutes=1))
    return w


def answer(w, person) -> str:
    return Invitation.objects.get(meeting=w.meeting, person=person).partstat


# --- Filed by the same code, once --------------------------------------------------------------------------


@pytest.mark.parametrize("client_shape", ["outlook", "gmail", "apple"])
@pytest.mark.parametrize("provider", ["postmark", "sendgrid", "ses-base64", "ses-utf8"])
def test_each_provider_posts_a_reply_that_is_recorded_once(client, webhook_on, provider, client_shape):
    w = invited()
    raw = reply_from(client_shape, w.people.manila, w.meeting, "ACCEPTED")
    with clock(LATER):
        for _ in range(2):  # posted again (the provider did not see our answer): filed, not applied twice
            assert post(client, provider, raw).status_code == 200
    assert answer(w, w.people.manila) == "ACCEPTED"
    row = InboundReply.objects.get()
    assert row.outcome == Outcome.APPLIED and row.sender == w.people.manila.email and row.size > 0
    assert row.key == str(parsed(raw)["Message-ID"])  # keyed like the IMAP reader: the message's own id
    inv = Invitation.objects.get(meeting=w.meeting, person=w.people.manila)
    reasons = [h.history_change_reason for h in inv.history.all() if h.history_change_reason]
    assert len(reasons) == 1 and reasons[0].startswith("iTIP REPLY by e-mail <")


@pytest.mark.parametrize("provider", ["postmark-parsed", "sendgrid-parsed"])
def test_a_parsed_post_without_the_raw_message_is_read_from_its_attachment(client, webhook_on, provider):
    """Gmail's reply (its ``invite.ics`` attached) as the provider parses it, with no raw MIME."""
    w = invited()
    raw = reply_from("gmail", w.people.yangon, w.meeting, "DECLINED")
    with clock(LATER):
        assert post(client, provider, raw).status_code == 200
    assert answer(w, w.people.yangon) == "DECLINED"
    row = InboundReply.objects.get()
    assert row.outcome == Outcome.APPLIED and row.key == str(parsed(raw)["Message-ID"])


def test_one_message_posted_by_two_providers_is_applied_once(client, webhook_on):
    w = invited()
    raw = reply_from("outlook", w.people.bangkok, w.meeting, "TENTATIVE")
    with clock(LATER):
        for provider in ("postmark", "ses-base64", "sendgrid"):
            assert post(client, provider, raw).status_code == 200
    assert answer(w, w.people.bangkok) == "TENTATIVE"
    assert InboundReply.objects.count() == 1


def test_a_reply_for_an_older_version_or_another_sender_is_refused_and_listed(client, webhook_on):
    w = invited()
    old = reply_from("gmail", w.people.yangon, w.meeting, "DECLINED", seq=0)
    forged = reply_from("apple", w.people.jakarta, w.meeting, "ACCEPTED").replace(
        w.people.jakarta.email.encode(),
        b"someone@example.net",
        1,  # the From line only
    )
    with clock(LATER):
        assert post(client, "postmark", old).status_code == 200
        assert post(client, "ses-base64", forged).status_code == 200
    reasons = sorted(InboundReply.objects.values_list("outcome", "reason"))
    assert [o for o, _ in reasons] == [Outcome.REFUSED, Outcome.REFUSED]
    assert any("the meeting has changed since" in r for _, r in reasons)
    assert any(r.startswith("sent from someone@example.net") for _, r in reasons)
    assert answer(w, w.people.yangon) == answer(w, w.people.jakarta) == "NEEDS-ACTION"


# --- Verified as anymail verifies each ----------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["postmark", "sendgrid", "ses-base64"])
def test_without_the_basic_auth_nothing_is_read(client, webhook_on, provider):
    w = invited()
    raw = reply_from("outlook", w.people.manila, w.meeting, "ACCEPTED")
    with clock(LATER):
        anonymous = post(client, provider, raw, HTTP_X_NOTHING="")
        assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Basic")
        assert post(client, provider, raw, **basic("inbound:wrong")).status_code == 401
        assert not InboundReply.objects.exists()
        assert post(client, provider, raw).status_code == 200  # the same post, authenticated, is taken
    assert answer(w, w.people.manila) == "ACCEPTED"


def test_an_sns_post_whose_headers_do_not_match_its_body_is_refused(client, webhook_on):
    w = invited()
    body, headers = ses(reply_from("gmail", w.people.manila, w.meeting, "ACCEPTED"))
    with clock(LATER):
        forged = {**headers, "HTTP_X_AMZ_SNS_MESSAGE_ID": str(uuid.uuid4())}
        r = client.post(URL["amazon-ses"], body, content_type="text/plain", **forged, **basic())
        assert r.status_code == 400
        wrong_type = {**headers, "HTTP_X_AMZ_SNS_MESSAGE_TYPE": "SubscriptionConfirmation"}
        r = client.post(URL["amazon-ses"], body, content_type="text/plain", **wrong_type, **basic())
        assert r.status_code == 400
    assert not InboundReply.objects.exists() and answer(w, w.people.manila) == "NEEDS-ACTION"


def test_an_sns_subscription_is_confirmed_by_hand_and_an_s3_action_is_refused(client, webhook_on, caplog):
    invited()
    subscribe = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t0k"
    body, headers = sns("SubscriptionConfirmation", Token="t0k", SubscribeURL=subscribe, Message="confirm")
    with caplog.at_level(logging.WARNING, logger="meetings.calendar.webhook"):
        r = client.post(URL["amazon-ses"], body, content_type="text/plain", **headers, **basic())
    assert r.status_code == 200 and subscribe in caplog.text  # the operator opens it; nothing calls AWS
    body, headers = ses(b"never read", action="S3")
    with pytest.raises(AnymailConfigurationError, match="SNS action"):
        client.post(URL["amazon-ses"], body, content_type="text/plain", **headers, **basic())
    assert not InboundReply.objects.exists()


@pytest.mark.parametrize(("provider", "final"), [("postmark", 403), ("sendgrid", 413), ("amazon-ses", 413)])
def test_an_oversized_post_is_refused_from_its_headers_with_the_providers_final_status(
    webhook_on, settings, provider, final
):
    request = RequestFactory().generic(
        "POST",
        URL[provider],
        content_type="application/json",
        CONTENT_LENGTH=str(settings.ITIP_WEBHOOK_MAX_BYTES + 1),
        **{"wsgi.input": Unreadable()},
        **basic(),
    )
    assert inbound_webhook(request, provider=provider).status_code == final  # not posted again
    row = InboundReply.objects.get()
    assert (
        row.outcome == Outcome.REFUSED
        and row.reason.startswith("too large")
        and provider[:4] in row.reason.lower()
    )
    anonymous = RequestFactory().generic(
        "POST", URL[provider], CONTENT_LENGTH=str(10**9), **{"wsgi.input": Unreadable()}
    )
    assert inbound_webhook(anonymous, provider=provider).status_code == 401
    assert InboundReply.objects.count() == 1


def test_off_without_the_secret_and_mailgun_only_with_its_signing_key(client, settings):
    settings.ITIP_WEBHOOK_SECRET, settings.ITIP_WEBHOOK_SIGNING_KEY = "", "key-signing"
    settings.ITIP_IMAP_URL = ""
    for url in [*URL.values(), "/calendar/inbound/mailgun/mime", "/calendar/inbound/elsewhere/"]:
        assert client.post(url, {"x": "y"}, **basic()).status_code == 404
    assert "inbound webhook" not in inbox_state()
    settings.ITIP_WEBHOOK_SECRET, settings.ITIP_WEBHOOK_SIGNING_KEY = SECRET, ""
    assert client.post("/calendar/inbound/mailgun/mime", {"x": "y"}, **basic()).status_code == 404
    assert client.post("/calendar/inbound/elsewhere/", {"x": "y"}, **basic()).status_code == 404
    assert client.get(URL["postmark"], **basic()).status_code == 405
    state = inbox_state()
    assert "Postmark inbound webhook, SendGrid inbound webhook, Amazon SES inbound webhook" in state
    assert "Mailgun" not in state
    settings.ITIP_WEBHOOK_SIGNING_KEY = "key-signing"
    assert "(Mailgun inbound webhook, Postmark inbound webhook" in inbox_state()


@pytest.mark.parametrize("provider", ["postmark", "sendgrid", "amazon-ses"])
def test_anymails_own_view_checks_the_basic_auth_it_is_given(provider):
    """Besides our check from the headers, anymail's view verifies the secret it is handed (so the two
    cannot drift apart silently)."""
    from anymail.exceptions import AnymailWebhookValidationFailure

    from meetings.calendar.webhook import PROVIDERS

    view = PROVIDERS[provider].view.as_view(webhook_secret=[SECRET])
    body, headers = sns("Notification", Message="{}") if provider == "amazon-ses" else ("{}", {})
    request = RequestFactory().post(
        URL[provider], body, content_type="application/json", **headers, **basic("inbound:wrong")
    )
    with pytest.raises(AnymailWebhookValidationFailure, match="basic auth"):
        view(request)
