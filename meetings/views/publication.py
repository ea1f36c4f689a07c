"""The Secretariat's publish screen: the public page as it would read, which decisions the public may read,
and the publish and withdraw steps (each asks first and is audited; docs/decisions/0049)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.permissions import is_secretariat
from meetings.models import Meeting
from meetings.selectors.public import publication_preview
from meetings.services import publication as publication_services
from meetings.views.base import Confirmation, confirm_then, meeting_or_404


def _meeting_for_secretariat(request, pk: int) -> Meeting:
    """The meeting for the Secretariat; 404 to who may not see it, 403 to who may see but not publish."""
    meeting = meeting_or_404(request, pk)
    if not is_secretariat(request.user):
        raise PermissionDenied("Only the Secretariat publishes meetings.")
    return meeting


def _back(meeting: Meeting):
    return redirect("meetings:publication", pk=meeting.pk)


@login_required
@require_GET
def publication(request, pk: int):
    meeting = _meeting_for_secretariat(request, pk)
    return render(
        request,
        "meetings/publication.html",
        {
            "meeting": meeting,
            "preview": publication_preview(meeting=meeting),
            "public_url": reverse("public:meeting", args=[meeting.pk]),
            "reader_tz": None,  # the public page says the host's time only
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def publication_publish(request, pk: int):
    meeting = _meeting_for_secretariat(request, pk)
    confirmation = Confirmation(
        question=f"Publish the {meeting.title}?",
        effects=[
            "Anyone can read its public page without logging in: date, place, the circulated agenda, "
            "the papers classified Public and the decisions marked public once the report is adopted.",
            "It joins its body's public calendar feed and the sitemap search engines read.",
            "Restricted and Confidential papers, delegates and the draft agenda stay withheld.",
        ],
        mailed="Nobody is e-mailed.",
        button="Publish",
        back_url=reverse("meetings:publication", args=[meeting.pk]),
        danger=False,
    )

    def act() -> str:
        publication_services.meeting_publish(meeting=meeting, actor=request.user)
        return "Published: the meeting's public page is live."

    return confirm_then(request, confirmation, act, then=_back(meeting))


@login_required
@require_http_methods(["GET", "POST"])
def publication_withdraw(request, pk: int):
    meeting = _meeting_for_secretariat(request, pk)
    confirmation = Confirmation(
        question=f"Withdraw the {meeting.title} from the public pages?",
        effects=[
            "Its public page, agenda, papers and decisions answer 'not found' from now on.",
            "It leaves its body's public calendar feed; shared caches drop it within a minute.",
        ],
        mailed="Nobody is e-mailed.",
        button="Withdraw",
        back_url=reverse("meetings:publication", args=[meeting.pk]),
    )

    def act() -> str:
        publication_services.meeting_withdraw(meeting=meeting, actor=request.user)
        return "Withdrawn from the public pages."

    return confirm_then(request, confirmation, act, then=_back(meeting))


@login_required
@require_POST
def publication_decisions(request, pk: int):
    """The ticked decisions are public, the others not."""
    meeting = _meeting_for_secretariat(request, pk)
    ids = [v for v in request.POST.getlist("public") if v.isdigit()]
    changed = publication_services.decisions_mark_public(meeting=meeting, public_ids=ids, actor=request.user)
    messages.success(request, f"{len(changed)} decision(s) changed." if changed else "Nothing changed.")
    return _back(meeting)
