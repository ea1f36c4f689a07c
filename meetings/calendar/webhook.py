"""Inbound iTIP by webhook: a mail provider (Mailgun, through django-anymail's inbound webhook) posts each
message sent to the organizer address as raw MIME, and it is filed by the same code as the IMAP reader
(``inbound.reply_file``): recorded, refused with why, or kept for the Secretariat; once per Message-ID.

Off unless both ``ITIP_WEBHOOK_SECRET`` (HTTP basic auth, ``user:password``) and
``ITIP_WEBHOOK_SIGNING_KEY`` (Mailgun's HMAC signing key) are set: then a request must carry both the basic
auth and a Mailgun signature no older than ``ITIP_WEBHOOK_MAX_AGE_SECONDS``. The basic auth and the size
(``Content-Length`` over ``ITIP_WEBHOOK_MAX_BYTES``) are judged from the headers, before the body is read.
"""

from __future__ import annotations

import time
import uuid

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.signals import inbound
from anymail.utils import get_request_basic_auth
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from meetings.calendar.inbound import message_key, reply_file
from meetings.models import InboundReply


class ItipMailgunInbound(MailgunInboundWebhookView):
    """Anymail's Mailgun inbound view (basic auth, then the HMAC signature), with a freshness check so a
    captured request cannot be replayed days later (a replay within the window is filed once anyway)."""

    def validate_request(self, request):  # anymail runs every validate_request of the class chain
        try:
            stamp = float(request.POST.get("timestamp", ""))
        except ValueError:
            raise AnymailWebhookValidationFailure("Mailgun webhook without a timestamp") from None
        if abs(time.time() - stamp) > settings.ITIP_WEBHOOK_MAX_AGE_SECONDS:
            raise AnymailWebhookValidationFailure("Mailgun webhook signature is too old")


def _on_inbound(sender, event, esp_name, **kwargs) -> None:
    msg = event.message
    reply_file(msg=msg, size=len(msg.as_bytes()), key=message_key(msg))


inbound.connect(_on_inbound, sender=ItipMailgunInbound, dispatch_uid="meetings.calendar.webhook")


def _refuse_oversize(size: int, limit: int) -> None:
    # Authenticated but too large: listed for the Secretariat like one refused from the mailbox. The body is
    # never read, so there is no Message-ID to key it by.
    InboundReply.objects.create(
        key=f"webhook:{uuid.uuid4().hex}",
        size=size,
        outcome=InboundReply.Outcome.REFUSED,
        reason=f"too large: {size} bytes, the limit is {limit} (webhook)",
    )


@csrf_exempt
@require_POST
def mailgun_inbound(request: HttpRequest) -> HttpResponse:
    """Mailgun's route ``forward("https://<site>/calendar/inbound/mailgun/mime")`` posts here."""
    secret, key = settings.ITIP_WEBHOOK_SECRET, settings.ITIP_WEBHOOK_SIGNING_KEY
    if not (secret and key):
        raise Http404("The inbound webhook is off.")
    if not constant_time_compare(get_request_basic_auth(request) or "", secret):
        response = HttpResponse("Authentication required.", status=401)
        response["WWW-Authenticate"] = 'Basic realm="inbound"'
        return response
    try:
        size = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return HttpResponse("Content-Length required.", status=411)
    limit = settings.ITIP_WEBHOOK_MAX_BYTES
    if size > limit:
        _refuse_oversize(size, limit)
        # 406: Mailgun takes it as final and does not post it again.
        return HttpResponse(f"Too large: the limit is {limit} bytes.", status=406)
    view = ItipMailgunInbound.as_view(basic_auth=[secret], webhook_signing_key=key)
    return view(request)
