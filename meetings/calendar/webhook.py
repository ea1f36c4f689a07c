"""Inbound iTIP by webhook: a mail provider posts each message sent to the organizer address, django-anymail's
inbound view for that provider verifies the post as anymail does and turns it into one normalised message
(its ``inbound`` signal), and the message is filed by the same code as the IMAP reader
(``inbound.reply_file``): recorded, refused with why, or kept for the Secretariat; once per Message-ID.

Providers (``PROVIDERS``), each at its own URL (``meetings/calendar/urls.py``):

- **Mailgun** (``/calendar/inbound/mailgun/mime``, a route's ``forward()``): HTTP basic auth and Mailgun's
  HMAC signature over timestamp and token (``ITIP_WEBHOOK_SIGNING_KEY``), no older than
  ``ITIP_WEBHOOK_MAX_AGE_SECONDS``.
- **Postmark** (``/calendar/inbound/postmark/``, the inbound stream's webhook, JSON, ideally with
  "Include raw email content"), **SendGrid** (``/calendar/inbound/sendgrid/``, Inbound Parse, parsed or
  "POST the raw, full MIME message") and **Amazon SES** (``/calendar/inbound/amazon-ses/``, an SNS
  subscription to the topic of a receipt rule's SNS action): HTTP basic auth, the only check anymail makes
  for them (it does not verify SNS signatures; for SES it also matches the SNS headers to the body).

Off (404) unless ``ITIP_WEBHOOK_SECRET`` (``user:password``) is set; Mailgun also needs its signing key.
The basic auth and the size (``Content-Length`` over ``ITIP_WEBHOOK_MAX_BYTES``) are judged from the
headers, before the body is read: a stranger gets 401 and leaves no row; an oversized post is listed as
refused and answered with the status its provider takes as final, so it is not posted again.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from anymail.exceptions import AnymailConfigurationError, AnymailWebhookValidationFailure
from anymail.signals import inbound
from anymail.utils import get_request_basic_auth
from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView
from anymail.webhooks.base import AnymailBaseWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from meetings.calendar.inbound import message_key, reply_file
from meetings.models import InboundReply

log = logging.getLogger(__name__)


class SecretByArgument:
    """Lets ``as_view`` take anymail's own ``webhook_secret`` argument (it takes only class attributes):
    the basic auth is then set before anymail checks it is there, from our setting, not ``ANYMAIL``."""

    webhook_secret = None


class ItipMailgunInbound(SecretByArgument, MailgunInboundWebhookView):
    """Anymail's Mailgun inbound view (basic auth, then the HMAC signature), with a freshness check so a
    captured request cannot be replayed days later (a replay within the window is filed once anyway)."""

    def validate_request(self, request):  # anymail runs every validate_request of the class chain
        try:
            stamp = float(request.POST.get("timestamp", ""))
        except ValueError:
            raise AnymailWebhookValidationFailure("Mailgun webhook without a timestamp") from None
        if abs(time.time() - stamp) > settings.ITIP_WEBHOOK_MAX_AGE_SECONDS:
            raise AnymailWebhookValidationFailure("Mailgun webhook signature is too old")


class ItipPostmarkInbound(SecretByArgument, PostmarkInboundWebhookView):
    """Anymail's Postmark inbound view as it is; our own class so only our URL feeds the calendar."""


class ItipSendGridInbound(SecretByArgument, SendGridInboundWebhookView):
    """Anymail's SendGrid Inbound Parse view (parsed fields or the raw MIME). Anymail no longer tests
    SendGrid itself and warns so at every construction, that is, every post: our tests
    post SendGrid's shapes, so the warning is skipped (its ``__init__`` does nothing else)."""

    def __init__(self, **kwargs):
        AnymailBaseWebhookView.__init__(self, **kwargs)


class ItipSesInbound(SecretByArgument, AmazonSESInboundWebhookView):
    """Anymail's Amazon SES inbound view without boto3 (not a dependency): the message comes inside the
    SNS notification (a receipt rule's SNS action, up to 150 KB, plenty for a calendar reply); an S3 action
    is refused as misconfigured. The SNS subscription is confirmed by hand: its SubscribeURL is logged."""

    def __init__(self, **kwargs):
        # AmazonSESBaseWebhookView.__init__ asks boto3 for its client settings; nothing here calls AWS.
        self.auto_confirm_enabled = False
        self.session_params, self.client_params = {}, {}
        self.kms_key_id, self.chunk_size = None, None
        AnymailBaseWebhookView.__init__(self, **kwargs)

    def auto_confirm_sns_subscription(self, sns_message):
        log.warning(
            "Amazon SNS asks to confirm the subscription of topic %s: open %s to confirm it.",
            sns_message.get("TopicArn"),
            sns_message.get("SubscribeURL"),
        )

    def esp_to_anymail_events(self, ses_event, sns_message):
        action = ses_event.get("receipt", {}).get("action", {})
        if action.get("type") == "S3":
            raise AnymailConfigurationError(
                "Calendar replies from Amazon SES need a receipt rule with an SNS action (the message in "
                "the notification); an S3 action would need boto3 to fetch it."
            )
        return super().esp_to_anymail_events(ses_event, sns_message)


@dataclass(frozen=True)
class Provider:
    label: str
    view: type[AnymailBaseWebhookView]
    final: int  # the status this provider takes as final: the post is not made again
    signed: bool = False  # verified with ITIP_WEBHOOK_SIGNING_KEY too


PROVIDERS = {
    "mailgun": Provider("Mailgun", ItipMailgunInbound, final=406, signed=True),
    "postmark": Provider("Postmark", ItipPostmarkInbound, final=403),
    "sendgrid": Provider("SendGrid", ItipSendGridInbound, final=413),  # retries only 5xx
    "amazon-ses": Provider("Amazon SES", ItipSesInbound, final=413),  # SNS retries only 5xx
}


def providers_on() -> list[str]:
    """The providers whose webhook takes replies, by their settings (for the Outbox page)."""
    if not settings.ITIP_WEBHOOK_SECRET:
        return []
    return [p.label for p in PROVIDERS.values() if settings.ITIP_WEBHOOK_SIGNING_KEY or not p.signed]


def _on_inbound(sender, event, esp_name, **kwargs) -> None:
    msg = event.message
    reply_file(msg=msg, size=len(msg.as_bytes()), key=message_key(msg))


for _provider in PROVIDERS.values():
    inbound.connect(_on_inbound, sender=_provider.view, dispatch_uid=f"itip:{_provider.view.__name__}")


def _refuse_oversize(size: int, limit: int, label: str) -> None:
    # Authenticated but too large: listed for the Secretariat like one refused from the mailbox. The body is
    # never read, so there is no Message-ID to key it by.
    InboundReply.objects.create(
        key=f"webhook:{uuid.uuid4().hex}",
        size=size,
        outcome=InboundReply.Outcome.REFUSED,
        reason=f"too large: {size} bytes, the limit is {limit} (webhook, {label})",
    )


@csrf_exempt
@require_POST
def inbound_webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """Where a provider posts each message (``provider``: a key of ``PROVIDERS``)."""
    chosen = PROVIDERS.get(provider)
    secret, key = settings.ITIP_WEBHOOK_SECRET, settings.ITIP_WEBHOOK_SIGNING_KEY
    if chosen is None or not secret or (chosen.signed and not key):
        raise Http404("The inbound webhook is off.")
    if not constant_time_compare(get_request_basic_auth(request) or "", secret):
        # A challenge, not a bare refusal: Amazon SNS sends its credentials only after one.
        response = HttpResponse("Authentication required.", status=401)
        response["WWW-Authenticate"] = 'Basic realm="inbound"'
        return response
    try:
        size = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return HttpResponse("Content-Length required.", status=411)
    limit = settings.ITIP_WEBHOOK_MAX_BYTES
    if size > limit:
        _refuse_oversize(size, limit, chosen.label)
        return HttpResponse(f"Too large: the limit is {limit} bytes.", status=chosen.final)
    options = {"webhook_secret": [secret], **({"webhook_signing_key": key} if chosen.signed else {})}
    return chosen.view.as_view(**options)(request)
