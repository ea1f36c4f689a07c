"""Calendar feeds (``METHOD:PUBLISH``): a private feed per person, a public feed per body.

The private feed is reached by a secret token in its URL (``Person.feed_token``, from
``secrets.token_urlsafe``), because calendar clients cannot log in. It lists exactly
``visible_meetings(user)`` that end after ``FEED_PAST_DAYS`` ago, is rotatable from the profile page, and
dies with the account: a deactivated user's feed answers 404 at once and the sweep clears the token. A
wrong token gets a plain 404 that says nothing about why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpResponse, HttpResponseNotFound
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from governance.models import Body, Person
from meetings.calendar.ics import feed_calendar
from meetings.models import Meeting
from meetings.selectors import visible_meetings
from meetings.times import ZoneNamer, reader_timezone

ICS_TYPE = "text/calendar; charset=utf-8"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def feed_token_ensure(person: Person) -> str:
    """The person's feed token, created on first use."""
    if not person.feed_token:
        Person.objects.filter(pk=person.pk, feed_token__isnull=True).update(
            feed_token=_new_token(), feed_token_created_at=timezone.now()
        )
        person.refresh_from_db(fields=["feed_token", "feed_token_created_at"])
    return person.feed_token


def feed_token_rotate(person: Person) -> str:
    """A new secret: every subscription made with the old URL stops working."""
    person.feed_token = _new_token()
    person.feed_token_created_at = timezone.now()
    Person.objects.filter(pk=person.pk).update(
        feed_token=person.feed_token, feed_token_created_at=person.feed_token_created_at
    )
    return person.feed_token


def feed_revoke(person: Person) -> None:
    Person.objects.filter(pk=person.pk).update(feed_token=None, feed_token_created_at=None)
    person.feed_token = None


def revoke_inactive_feeds() -> int:
    """Clear the tokens of deactivated accounts (and of people whose account is gone)."""
    return (
        Person.objects.filter(feed_token__isnull=False)
        .exclude(user__is_active=True)
        .update(feed_token=None, feed_token_created_at=None)
    )


def feed_url(person: Person) -> str:
    return settings.SITE_URL + reverse("meetings:feed", args=[feed_token_ensure(person)])


def webcal(url: str) -> str:
    """The same URL with the webcal:// scheme, which calendar apps open as a subscription."""
    return "webcal://" + url.split("://", 1)[-1]


def public_feed_url(body: Body) -> str:
    return settings.SITE_URL + reverse("meetings:body_feed", args=[body.acronym])


def _not_found() -> HttpResponse:
    return HttpResponseNotFound("Not found\n", content_type="text/plain; charset=utf-8")


def _respond(request, meetings, *, name: str, reader_tz: str | None, tag: str) -> HttpResponse:
    # An ETag from what the feed depends on, so clients polling every hour mostly get a 304; the body is
    # cached under it, for the clients (and the many subscribers of a public feed) that do not ask so.
    stats = meetings.aggregate(n=Count("pk"), changed=Max("updated_at"), last=Max("pk"))
    state = f"{tag}|{stats['n']}|{stats['changed']}|{stats['last']}|{reader_tz}"
    etag = '"' + hashlib.sha256(state.encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        key = f"feed:{etag.strip(chr(34))}"
        body = cache.get(key)
        if body is None:
            body = feed_calendar(
                meetings.select_related("host").order_by("start"),
                name=name,
                now=timezone.now(),
                reader_tz=reader_tz,
                namer=ZoneNamer(),
            )
            cache.set(key, body, settings.FEED_CACHE_SECONDS)
        response = HttpResponse(body, content_type=ICS_TYPE)
        response["Content-Disposition"] = 'inline; filename="accmsme.ics"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=900"
    return response


@require_GET
def user_feed(request, token: str):
    person = (
        Person.objects.select_related("user", "member_state").filter(feed_token=token).first()
        if token
        else None
    )
    if person is None or person.user is None or not person.user.is_active:
        if person is not None:
            feed_revoke(person)
        return _not_found()
    user = person.user
    since = timezone.now() - dt.timedelta(days=settings.FEED_PAST_DAYS)
    return _respond(
        request,
        visible_meetings(user).filter(end__gte=since),
        name=f"ACCMSME Governance: {person.full_name}",
        reader_tz=person.effective_timezone,
        tag=f"user:{person.pk}:{token}",
    )


@require_GET
def body_feed(request, acronym: str):
    body = Body.objects.filter(acronym=acronym).first()
    if body is None:
        return _not_found()
    return _respond(
        request,
        Meeting.objects.filter(body=body, is_public=True),
        name=f"{body.acronym}: public meetings",
        reader_tz=None,
        tag=f"body:{body.pk}",
    )


def meeting_ics(request, pk: int):
    """ "Add to my calendar" for one meeting the user may see (PUBLISH; invitations come by email)."""
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    meetings = visible_meetings(request.user).filter(pk=pk)
    if not meetings.exists():
        return _not_found()
    body = feed_calendar(
        meetings.select_related("body", "host"),
        name=meetings[0].title,
        now=timezone.now(),
        reader_tz=reader_timezone(request.user),
    )
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'attachment; filename="meeting-{pk}.ics"'
    return response


feed_token_for = feed_token_ensure  # the name bench/pages.py looks for
