"""Calendar feeds (``METHOD:PUBLISH``): a private feed per person, a public feed per body.

The private feed is reached by a secret token in its URL (``Person.feed_token``, from
``secrets.token_urlsafe``), because calendar clients cannot log in. It lists exactly
``visible_meetings(user)`` that end after ``FEED_PAST_DAYS`` ago, is rotatable from the profile page, and
dies with the account: a deactivated user's feed answers 404 at once and the sweep clears the token. A
wrong token gets a plain 404 that says nothing about why.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Value
from django.http import HttpResponse, HttpResponseNotFound
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import condition, require_GET

from governance.audit import audit
from governance.models import Body, Person
from governance.permissions import SECRETARIAT_GROUP
from governance.prepared import Prepared
from meetings.calendar.ics import feed_calendar
from meetings.models import Meeting
from meetings.permissions import meeting_visibility, meetings_visible_by
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
    audit(action="feed_token_rotated", obj=person, summary=f"Calendar feed address of {person} renewed")
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


@dataclass
class FeedSource:
    """What one feed request serves, and the state its validators are made from."""

    # Built only when the body is rendered: a cached feed needs the counts alone (``stats``).
    meetings_of: Callable[[], QuerySet[Meeting]]
    name: str
    reader_tz: str | None
    tag: str
    # (count, latest change, newest id) of those meetings; the queryset's aggregate unless given.
    stats: Callable[[], tuple[int, dt.datetime | None, int | None]] | None = None
    _state: tuple[str, dt.datetime] | None = None
    # The cached body, read with the state when the request names no validator (it will be served):
    # one round trip to the cache instead of two on every poll that gets the whole feed.
    wants_body: bool = False
    _body: bytes | str | None = None

    def state(self) -> tuple[str, dt.datetime]:
        """(ETag, Last-Modified). The ETag hashes what the feed depends on (count, latest change, newest
        row, the reader's zone), so a meeting removed from the feed changes it too. Last-Modified is when
        this state was first served, at least the latest change: a removal leaves ``updated_at`` as it
        was, yet a client asking only If-Modified-Since must not be told nothing changed."""
        if self._state is None:
            if self.stats is not None:
                n, changed, last = self.stats()
            else:
                found = self.meetings_of().aggregate(n=Count("pk"), c=Max("updated_at"), last=Max("pk"))
                n, changed, last = found["n"], found["c"], found["last"]
            state = f"{self.tag}|{n}|{changed}|{last}|{self.reader_tz}"
            digest = hashlib.sha256(state.encode()).hexdigest()[:32]
            seen_key, body_key = f"feed-seen:{digest}", f"feed:{digest}"
            found = cache.get_many([seen_key, body_key] if self.wants_body else [seen_key])
            self._body = found.get(body_key)
            first_seen = found.get(seen_key)
            if first_seen is None:  # as ``cache.get_or_set``: the first writer's moment wins
                now = timezone.now()
                cache.add(seen_key, now, settings.FEED_CACHE_SECONDS * 24)
                first_seen = cache.get(seen_key, now)
            changed = changed or first_seen
            self._state = (f'"{digest}"', max(first_seen, changed).replace(microsecond=0))
        return self._state


def _source(request, *, kind: str, key: str) -> FeedSource | None:
    """The feed's source, found once per request (the validators and the body share it)."""
    found = getattr(request, "_feed_source", False)
    if found is False:
        found = request._feed_source = _user_source(key) if kind == "user" else _body_source(key)
        if found is not None:
            found.wants_body = not (
                "If-None-Match" in request.headers or "If-Modified-Since" in request.headers
            )
    return found


# The reader and whether they are the Secretariat, in one query compiled once per process
# (governance.prepared): every poll of every subscribed calendar starts here.
_READER = Prepared(
    lambda token: (
        Person.objects.select_related("user", "member_state")
        .filter(feed_token=token)
        .annotate(
            in_secretariat_group=Exists(
                Group.objects.filter(name=SECRETARIAT_GROUP, user=OuterRef("user_id"))
            )
        )
    )
)


def _feed_state(since: dt.datetime, **visibility) -> QuerySet:
    # One row, no GROUP BY (a Value groups nothing): the aggregate ``FeedSource.state`` would ask for.
    return (
        meetings_visible_by(Meeting.objects.filter(end__gte=since), **visibility)
        .order_by()
        .annotate(one=Value(1))
        .values("one")
        .annotate(n=Count("pk"), changed=Max("updated_at"), last=Max("pk"))
        .values_list("n", "changed", "last")
    )


# The user feed's state, compiled once per process (governance.prepared): most polls need nothing more.
_FEED_STATE = Prepared(_feed_state)


def _user_source(token: str) -> FeedSource | None:
    found = _READER(token=token) if token else []
    person = found[0] if found else None
    if person is None or person.user is None or not person.user.is_active:
        if person is not None:
            feed_revoke(person)
        return None
    # Where ``governance.permissions.is_secretariat`` looks first, as the login backend leaves it.
    person.user._is_secretariat = person.user.is_superuser or person.in_secretariat_group
    user = person.user
    since = timezone.now() - dt.timedelta(days=settings.FEED_PAST_DAYS)
    visibility = meeting_visibility(user)

    def stats() -> tuple[int, dt.datetime | None, int | None]:
        rows = _FEED_STATE(since=since, **visibility)
        return rows[0] if rows else (0, None, None)  # no rows: no right reaches any meeting

    return FeedSource(
        meetings_of=lambda: visible_meetings(user).filter(end__gte=since),
        stats=stats,
        name=f"ACCMSME Governance: {person.full_name}",
        reader_tz=person.effective_timezone,
        tag=f"user:{person.pk}:{token}",
    )


def _body_source(acronym: str) -> FeedSource | None:
    body = Body.objects.filter(acronym=acronym).first()
    if body is None:
        return None
    return FeedSource(
        meetings_of=lambda: Meeting.objects.filter(body=body, is_public=True),
        name=f"{body.acronym}: public meetings",
        reader_tz=None,
        tag=f"body:{body.pk}",
    )


def _validators(kind: str, arg: str):
    """ETag and Last-Modified functions for ``condition()``, which answers 304 with RFC 9110's rules:
    weak comparison for If-None-Match (``W/"…"`` from compressing proxies, lists, ``*``), and
    If-Modified-Since only when there is no If-None-Match."""

    def etag(request, **kwargs) -> str | None:
        source = _source(request, kind=kind, key=kwargs[arg])
        return source.state()[0] if source else None

    def last_modified(request, **kwargs) -> dt.datetime | None:
        source = _source(request, kind=kind, key=kwargs[arg])
        return source.state()[1] if source else None

    return condition(etag_func=etag, last_modified_func=last_modified)


def _respond(request, source: FeedSource | None) -> HttpResponse:
    """The feed's body, cached under its ETag, for the clients (and the many subscribers of a public
    feed) that poll without validators."""
    if source is None:
        return _not_found()
    etag, _ = source.state()
    key = f"feed:{etag.strip(chr(34))}"
    body = source._body if source.wants_body else cache.get(key)
    if body is None:
        body = feed_calendar(
            source.meetings_of().select_related("host").order_by("start"),
            name=source.name,
            now=timezone.now(),
            reader_tz=source.reader_tz,
            namer=ZoneNamer(),
        )
        cache.set(key, body, settings.FEED_CACHE_SECONDS)
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Content-Disposition"] = 'inline; filename="accmsme.ics"'
    return response


def _private(view):
    """Cache-Control on every answer of a feed, 304s included."""

    @functools.wraps(view)
    def wrapped(request, **kwargs):
        response = view(request, **kwargs)
        if response.status_code in (200, 304):
            response["Cache-Control"] = "private, max-age=900"
        return response

    return wrapped


@require_GET
@_private
@_validators("user", "token")
def user_feed(request, token: str):
    return _respond(request, _source(request, kind="user", key=token))


@require_GET
@_private
@_validators("body", "acronym")
def body_feed(request, acronym: str):
    return _respond(request, _source(request, kind="body", key=acronym))


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
