"""The handover scene: ACCMSME with an outgoing and an incoming chair state, their heads and a handover due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chairmanship import handovers, terms
from chairmanship.models import ChairTerm, Handover
from governance.models import Body, Membership, MemberState
from governance.rights import sync_user_rights
from tests.world.people import seat

SEATED = dt.date(2029, 1, 1)  # the scene's seats start a year before the outgoing chair's term


@dataclass
class Scenario:
    body: Body
    outgoing: ChairTerm
    incoming: ChairTerm
    handover: Handover
    out_chair: object
    in_chair: object
    delegate: object
    outsider: object
    secretariat: object


def head(make_user, username: str, state: MemberState, body: Body, **kw):
    user = make_user(username, state=state, **kw)
    seat(user.person, body, state, Membership.Role.HEAD_OF_DELEGATION, SEATED)
    return user


def build_scenario(make_user, *, password: str = "pw-for-tests-123") -> Scenario:
    """ACCMSME: Indonesia chairs 2030, Lao PDR 2031 (what the rule forecasts); a handover on 1 Jan 2031."""
    body = Body.objects.get(acronym="ACCMSME")
    indonesia, lao, malaysia = (MemberState.objects.get(iso2=c) for c in ("ID", "LA", "MY"))
    out_chair = head(make_user, "ina-head", indonesia, body, password=password)
    in_chair = head(make_user, "lao-head", lao, body, password=password)
    delegate = make_user("mys-delegate", state=malaysia)
    seat(delegate.person, body, malaysia, start=SEATED)
    outsider = make_user("outsider")
    secretariat = make_user("asec", secretariat=True)
    outgoing = terms.chair_term_record(
        body=body, member_state=indonesia, start_date=dt.date(2030, 1, 1), end_date=dt.date(2030, 12, 31)
    )
    incoming = terms.chair_term_record(
        body=body,
        member_state=lao,
        start_date=dt.date(2031, 1, 1),
        end_date=dt.date(2031, 12, 31),
        is_provisional=True,
    )
    handover = handovers.handover_plan(outgoing_term=outgoing, incoming_term=incoming)
    return Scenario(body, outgoing, incoming, handover, out_chair, in_chair, delegate, outsider, secretariat)


def rights_on(s: Scenario, day: dt.date) -> None:
    """Derive everyone's rights as they stand on ``day`` (the jobs do this by the calendar)."""
    for user in (s.out_chair, s.in_chair, s.delegate, s.outsider):
        sync_user_rights(user, on=day)
