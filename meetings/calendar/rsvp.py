"""Answers to invitations: signed links in emails, buttons on the meeting page and dashboard, and iTIP
REPLY files posted to the API all end in ``invitation_respond``.

A link is signed (``django.core.signing``) over the invitation, its ``link_version`` and the answer, and
expires after ``settings.RSVP_LINK_MAX_AGE_DAYS``. Raising ``Invitation.link_version`` revokes every link
sent before. Opening a link only shows a confirmation button: mail scanners that fetch every link in a
message (Outlook Safe Links) must not answer for the delegate.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from governance.audit import current_actor
from meetings.models import Invitation, Meeting

SALT = "meetings.rsvp"
PartStat = Invitation.PartStat
ANSWERS = {
    "accept": PartStat.ACCEPTED,
    "tentative": PartStat.TENTATIVE,
    "decline": PartStat.DECLINED,
}
ANSWER_LABELS = {PartStat.ACCEPTED: "Accept", PartStat.TENTATIVE: "Tentative", PartStat.DECLINED: "Decline"}


class RsvpError(Exception):
    """A link or answer that cannot be used; the message is safe to show."""


class MeetingMoved(RsvpError):
    """A link sent for a version of the meeting whose time or place has changed since: the answer it
    carries was for the earlier date. The page says so and offers the current links."""

    def __init__(self, invitation: Invitation, partstat: str) -> None:
        super().__init__("The meeting has moved since this link was sent: answer for the new date below.")
        self.invitation, self.partstat = invitation, partstat


@functools.lru_cache(maxsize=4)
def _keyed_hmac(secret: str) -> hmac.HMAC:
    # The key ``signing.dumps`` derives on every call (sha256 of salt and secret), derived once per secret:
    # a fan-out to thousands signs three links per message, each now one HMAC of a short string.
    return hmac.new(hashlib.sha256(f"{SALT}signer{secret}".encode()).digest(), digestmod=hashlib.sha256)


def rsvp_token(invitation: Invitation, partstat: str, *, sequence: int | None = None) -> str:
    """Signed over the invitation, its link version, the answer and the meeting version it was sent for:
    byte for byte what ``signing.dumps(..., salt=SALT)`` writes (so ``signing.loads`` reads it), made
    without deriving the key again for each link."""
    seq = invitation.meeting.sequence if sequence is None else sequence
    data = json.dumps(
        {"i": invitation.pk, "v": invitation.link_version, "p": partstat, "s": seq}, separators=(",", ":")
    )
    value = f"{signing.b64_encode(data.encode('latin-1')).decode()}:{signing.b62_encode(int(time.time()))}"
    mac = _keyed_hmac(settings.SECRET_KEY).copy()
    mac.update(value.encode())
    return f"{value}:{signing.b64_encode(mac.digest()).decode()}"


@functools.cache
def _link_prefix() -> str:
    # reverse() once: a fan-out to thousands builds three links per message.
    return reverse("meetings:rsvp_link", args=["TOKEN"]).rsplit("TOKEN", 1)[0]


def rsvp_url(invitation: Invitation, partstat: str, *, sequence: int | None = None) -> str:
    return f"{settings.SITE_URL}{_link_prefix()}{rsvp_token(invitation, partstat, sequence=sequence)}/"


def rsvp_links(invitation: Invitation, *, sequence: int | None = None) -> list[tuple[str, str, str]]:
    """(partstat, label, url) for each answer, as the email lists them, for the meeting version
    ``sequence`` (the current one by default)."""
    return [(p, ANSWER_LABELS[p], rsvp_url(invitation, p, sequence=sequence)) for p in ANSWER_LABELS]


def read_token(token: str) -> tuple[Invitation, str]:
    max_age = dt.timedelta(days=settings.RSVP_LINK_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise RsvpError("This link has expired. Answer from your dashboard instead.") from None
    except signing.BadSignature:
        raise RsvpError("This link is not valid.") from None
    invitation = (
        Invitation.objects.select_related("meeting", "person").filter(pk=data.get("i")).first()
        if isinstance(data, dict)
        else None
    )
    if invitation is None or data.get("p") not in ANSWER_LABELS:
        raise RsvpError("This link is not valid.")
    if invitation.link_version != data.get("v") or invitation.is_withdrawn:
        raise RsvpError("This link was replaced by a newer one. Use the latest email or your dashboard.")
    sent_for = data.get("s", 0)
    if not isinstance(sent_for, int) or sent_for < invitation.answers_since:
        raise MeetingMoved(invitation, data["p"])
    return invitation, data["p"]


def open_for_answers(meeting: Meeting, now: dt.datetime) -> bool:
    return meeting.status in (Meeting.Status.PLANNED, Meeting.Status.CONFIRMED) and meeting.end > now


@transaction.atomic
def invitation_respond(*, invitation: Invitation, partstat: str, via: str = "") -> Invitation:
    """Record an answer (ACCEPTED, TENTATIVE, DECLINED); ``via`` says how it came, in the history."""
    now = timezone.now()
    if partstat not in ANSWER_LABELS:
        raise RsvpError(f"“{partstat}” is not an answer (accept, tentative or decline).")
    invitation = Invitation.objects.select_for_update().select_related("meeting").get(pk=invitation.pk)
    if invitation.is_withdrawn:
        raise RsvpError("You are no longer on the list for this meeting.")
    if not open_for_answers(invitation.meeting, now):
        raise RsvpError(
            f"This meeting is {invitation.meeting.get_status_display().lower()} or over: answers are closed."
        )
    invitation.partstat = partstat
    invitation.responded_at = now
    invitation.earlier_partstat, invitation.earlier_start = "", None  # answered for the date as it is
    if via:
        invitation._change_reason = via[:100]
    if current_actor() is None:
        # Answered by a signed link, nobody logged in: the answer is the invitee's own (whose link it is).
        invitation._history_user = getattr(invitation.person, "user", None)
    invitation.save(update_fields=["partstat", "responded_at", "earlier_partstat", "earlier_start"])
    return invitation


# Changes after which an answer no longer holds: the delegate accepted another day or another place.
ANSWER_FIELDS = ("start", "end", "timezone", "venue", "city", "modality")


def answers_reset(*, meeting: Meeting, earlier_start: dt.datetime) -> int:
    """The time or place changed (``meeting.sequence`` already raised): every answer goes back to
    NEEDS-ACTION, keeping what it was and the date it was for, so the update can say so; links sent for
    earlier versions say the meeting moved. In the invitation's history. Returns the answers reset."""
    from simple_history.utils import bulk_update_with_history

    invitations = list(meeting.invitations.filter(is_withdrawn=False))
    answered = []
    for inv in invitations:
        inv.answers_since = meeting.sequence
        if inv.partstat != PartStat.NEEDS_ACTION:
            inv.earlier_partstat, inv.earlier_start = inv.partstat, earlier_start
            inv.partstat, inv.responded_at = PartStat.NEEDS_ACTION, None
            answered.append(inv)
    fields = ["answers_since", "partstat", "responded_at", "earlier_partstat", "earlier_start"]
    bulk_update_with_history(invitations, Invitation, fields, batch_size=500)
    return len(answered)


def earlier_answer_line(invitation: Invitation, *, date_text: str) -> str:
    """What an update says to someone whose answer was reset."""
    if not invitation.earlier_partstat or invitation.partstat != PartStat.NEEDS_ACTION:
        return ""
    label = PartStat(invitation.earlier_partstat).label
    return (
        f"Your earlier answer ({label}) was for the earlier date, {date_text}. "
        "Please answer again for the new date."
    )


def rsvp_link(request, token: str):
    """GET: show the answer and a button; POST: record it. The token is the credential."""
    try:
        invitation, partstat = read_token(token)
    except MeetingMoved as moved:
        current = moved.invitation
        return render(
            request,
            "meetings/rsvp_moved.html",
            {
                "invitation": current,
                "meeting": current.meeting,
                "error": str(moved),
                "rsvp_links": rsvp_links(current)
                if open_for_answers(current.meeting, timezone.now())
                else [],
            },
            status=409,
        )
    except RsvpError as exc:
        return render(request, "meetings/rsvp.html", {"error": str(exc)}, status=410)
    done = False
    error = ""
    if request.method == "POST":
        try:
            invitation = invitation_respond(invitation=invitation, partstat=partstat)
            done = True
        except RsvpError as exc:
            error = str(exc)
    return render(
        request,
        "meetings/rsvp.html",
        {
            "invitation": invitation,
            "meeting": invitation.meeting,
            "partstat": partstat,
            "label": ANSWER_LABELS[partstat],
            "done": done,
            "error": error,
        },
    )


@login_required
@require_POST
def rsvp_post(request, pk: int):
    """The buttons on the dashboard and the meeting page: the signed-in user's own invitation."""
    invitation = (
        Invitation.objects.filter(meeting_id=pk, person__user=request.user, is_withdrawn=False)
        .select_related("meeting")
        .first()
    )
    if invitation is None:
        raise Http404("No invitation to this meeting")
    partstat = ANSWERS.get(request.POST.get("answer", ""), request.POST.get("answer", ""))
    try:
        invitation_respond(invitation=invitation, partstat=partstat)
        messages.success(
            request, f"Recorded: {ANSWER_LABELS[partstat].lower()} for {invitation.meeting.title}."
        )
    except RsvpError as exc:
        messages.error(request, str(exc))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("meetings:dashboard")
    return HttpResponseRedirect(target)
