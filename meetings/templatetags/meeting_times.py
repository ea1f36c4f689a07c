"""Template tags that say a meeting's time the way ``meetings.times`` does (host time first, the reader's
beside it when it differs). The reader is the signed-in user unless the context names ``reader_tz``."""

from __future__ import annotations

from django import template

from meetings.times import ZoneNamer, agenda_item_time, day_label, meeting_times, reader_timezone

register = template.Library()


def _namer(context) -> ZoneNamer:
    # One namer per rendered page, however many meetings it shows (its labels are kept per process).
    request = context.get("request")
    if request is not None:
        if not hasattr(request, "_zone_namer"):
            request._zone_namer = ZoneNamer()
        return request._zone_namer
    namer = context.get("_zone_namer")
    if namer is None:
        namer = ZoneNamer()
        context.dicts[0]["_zone_namer"] = namer
    return namer


def _reader_tz(context) -> str | None:
    if "reader_tz" in context:
        return context["reader_tz"]
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return reader_timezone(user) if user is not None else None


@register.simple_tag(takes_context=True)
def meeting_time_parts(context, meeting):
    """``{% meeting_time_parts meeting as t %}``: ``t.host``, ``t.reader``, ``t.host_day_note``…"""
    return meeting_times(meeting, _reader_tz(context), namer=_namer(context))


@register.simple_tag(takes_context=True)
def agenda_time(context, item, meeting=None, show_reader=False):
    """``{% agenda_time item meeting True %}``: the item's start in host time, and the reader's on request."""
    meeting = meeting or item.meeting
    return agenda_item_time(
        item.starts_at, meeting, _reader_tz(context), show_reader=bool(show_reader), namer=_namer(context)
    )


@register.simple_tag(takes_context=True)
def reader_zone(context):
    return _reader_tz(context)


@register.filter
def short_day(day) -> str:
    """``{{ a.due_date|short_day }}``: "5 Mar 2027" for a date (not a datetime: no zone is applied)."""
    return day_label(day)


@register.filter
def long_day(day) -> str:
    """``{{ day|long_day }}``: "Friday 5 March 2027" for a date."""
    return day_label(day, long=True)
