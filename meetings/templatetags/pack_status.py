"""``{% pack_status meeting %}``: the state of the reader's meeting pack (their classification level's only),
with its download link and "Build now", as the meeting page shows it."""

from __future__ import annotations

from django import template

from meetings.selectors.documents import document_level
from meetings.services.pack_builds import pack_state
from meetings.views.pack import pack_status_context

register = template.Library()


@register.inclusion_tag("meetings/_pack_status.html", takes_context=True)
def pack_status(context, meeting) -> dict:
    level = document_level(context["request"].user, meeting.body_id)
    return {
        **pack_status_context(meeting, level, pack_state(meeting=meeting, level=level), on_status_page=False),
        "csrf_token": context.get("csrf_token"),
    }
