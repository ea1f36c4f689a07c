"""People and where they sit: member states, bodies, login users with their Person, seats on bodies.

Memberships start in 2000 with no end, so rights derived on any day a test picks (``DAY``) hold."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from governance.models import Body, Membership, MemberState, Person
from governance.rights import sync_user_rights
from tests.world.clock import DAY

SINCE = dt.date(2000, 1, 1)

# iso2: (name, iso3, capital, time zone), for tests without the seeded ASEAN data.
STATES = {
    "ID": ("Indonesia", "IDN", "Jakarta", "Asia/Jakarta"),
    "PH": ("Philippines", "PHL", "Manila", "Asia/Manila"),
    "MM": ("Myanmar", "MMR", "Nay Pyi Taw", "Asia/Yangon"),
    "TH": ("Thailand", "THA", "Bangkok", "Asia/Bangkok"),
    "MY": ("Malaysia", "MYS", "Kuala Lumpur", "Asia/Kuala_Lumpur"),
    "VN": ("Viet Nam", "VNM", "Hanoi", "Asia/Ho_Chi_Minh"),
    "SG": ("Singapore", "SGP", "Singapore", "Asia/Singapore"),
}


def state(iso2: str) -> MemberState:
    """The member state: the seeded row (the `seeded` fixture) if there is one, else made from STATES."""
    found = MemberState.objects.filter(iso2=iso2).first()
    if found is not None:
        return found
    name, iso3, capital, tz = STATES[iso2]
    return MemberState.objects.create(
        iso2=iso2,
        short_name=name,
        official_name=name,
        iso3=iso3,
        capital=capital,
        timezone=tz,
        zone_label=f"{capital} time",
        admitted_on=dt.date(1967, 8, 8),
    )


def states(*iso2: str) -> dict[str, MemberState]:
    """Several member states by iso2; all of STATES without arguments."""
    return {code: state(code) for code in iso2 or STATES}


def body_make(acronym: str = "ACCMSME", **fields) -> Body:
    """A body (the existing one of that acronym if there is one): a sectoral committee with its own
    chair rotation unless told."""
    defaults = dict(
        name=f"{acronym} body",
        kind=Body.Kind.SECTORAL_COMMITTEE,
        chair_policy=Body.ChairPolicy.OWN_ROTATION,
    )
    defaults.update(fields)
    body, _ = Body.objects.get_or_create(acronym=acronym, defaults=defaults)
    return body


def user_make(
    username: str,
    *,
    state: MemberState | None = None,
    organisation=None,
    tz: str = "",
    email: str | None = None,
    password: str | None = None,
    secretariat: bool = False,
    staff: bool = False,
):
    """A login user with a Person named after the username ("delegate-ph" → "Delegate-Ph", "former_chair"
    → "Former Chair"). Without a password the account logs in only through ``force_login`` (no hashing)."""
    user = get_user_model().objects.create_user(  # no password: an unusable one
        username=username, email=email or f"{username}@example.org", password=password, is_staff=staff
    )
    Person.objects.create(
        user=user,
        full_name=username.replace("_", " ").title(),
        email=user.email,
        member_state=state,
        organisation=organisation,
        timezone=tz,
    )
    if secretariat:
        from governance.permissions import ensure_secretariat_group

        user.groups.add(ensure_secretariat_group())
    return user


def seat(
    person: Person,
    body: Body,
    member_state: MemberState | str | None = None,
    role: str = Membership.Role.DELEGATE,
    start: dt.date = SINCE,
    *,
    organisation=None,
    end: dt.date | None = None,
) -> Membership:
    """A seat on ``body`` for ``member_state`` (a MemberState or its iso2) or for ``organisation``."""
    if isinstance(member_state, str):
        member_state = state(member_state)
    return Membership.objects.create(
        person=person,
        body=body,
        member_state=member_state,
        organisation=organisation,
        role=role,
        start_date=start,
        end_date=end,
    )


def person_make(
    username: str,
    *,
    state: MemberState | None = None,
    body: Body | None = None,
    role: str = Membership.Role.DELEGATE,
    **user,
) -> Person:
    """A Person with a login; with a ``body`` and a ``state``, seated for that state with rights derived
    on ``DAY`` (so they may see the body's meetings)."""
    person = user_make(username, state=state, **user).person
    if body is not None and state is not None:
        seat(person, body, state, role)
        sync_user_rights(person.user, on=DAY)
    return person
