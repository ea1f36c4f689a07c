"""Demo accounts for `make run`: the Secretariat, the current ACCMSME chair and a delegate of each state."""

from __future__ import annotations

import datetime as dt
from contextlib import suppress

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from chairmanship.handovers import handover_plan_next
from chairmanship.models import Handover
from chairmanship.selectors import current_chairs
from governance.models import Body, Membership, MemberState, Organisation, Person
from governance.permissions import ensure_secretariat_group
from governance.rights import sync_user_rights

DEMO_PASSWORD = "asean-demo-2026"


@transaction.atomic
def create_demo_users(*, on: dt.date) -> list[tuple[str, str]]:
    """Create (or reuse) the demo accounts; returns (username, what the account is)."""
    User = get_user_model()
    group = ensure_secretariat_group()
    accmsme = Body.objects.get(acronym="ACCMSME")
    asec = Organisation.objects.get(kind=Organisation.Kind.SECRETARIAT)
    start = dt.date(on.year, 1, 1)
    rows: list[tuple[str, str]] = []

    def account(username: str, full_name: str, email: str, **person_fields) -> tuple:
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if created:
            first, _, last = full_name.partition(" ")
            user.first_name, user.last_name = first, last
            user.set_password(DEMO_PASSWORD)
            user.save()
        person, _ = Person.objects.get_or_create(
            user=user, defaults={"full_name": full_name, "email": email, **person_fields}
        )
        return user, person

    sec_user, sec_person = account(
        "secretariat",
        "Siti Rahma",
        "secretariat@example.org",
        organisation=asec,
        position="ACCMSME desk officer, ASEAN Secretariat",
    )
    sec_user.groups.add(group)
    sec_user.is_staff = True
    sec_user.save(update_fields=["is_staff"])
    Membership.objects.get_or_create(
        person=sec_person,
        body=accmsme,
        organisation=asec,
        role=Membership.Role.SECRETARIAT,
        defaults={"start_date": start},
    )
    sync_user_rights(sec_user, on=on)
    rows.append(("secretariat", "ASEAN Secretariat officer (everything)"))

    chair_term = current_chairs(on=on).get(accmsme.pk)
    for state in MemberState.objects.members_on(on):
        code = state.iso2.lower()
        is_chair_state = chair_term is not None and chair_term.member_state_id == state.pk
        if is_chair_state:
            user, person = account(
                "chair",
                f"Chair of {state.short_name}",
                f"chair@{code}.example.org",
                member_state=state,
                position="Head of delegation and ACCMSME chair",
            )
            if not Membership.objects.filter(
                body=accmsme, member_state=state, role=Membership.Role.HEAD_OF_DELEGATION
            ).exists():
                Membership.objects.create(
                    person=person,
                    body=accmsme,
                    member_state=state,
                    role=Membership.Role.HEAD_OF_DELEGATION,
                    start_date=start,
                )
            rows.append(("chair", f"Head of delegation of {state}, chairing ACCMSME"))
            sync_user_rights(user, on=on)
        user, person = account(
            f"delegate-{code}",
            f"Delegate of {state.short_name}",
            f"delegate@{code}.example.org",
            member_state=state,
            position="Delegate",
        )
        has_head = Membership.objects.filter(
            body=accmsme, member_state=state, role=Membership.Role.HEAD_OF_DELEGATION
        ).exists()
        role = Membership.Role.DELEGATE if has_head else Membership.Role.HEAD_OF_DELEGATION
        Membership.objects.get_or_create(
            person=person, body=accmsme, member_state=state, defaults={"role": role, "start_date": start}
        )
        rows.append(
            (f"delegate-{code}", f"{'Head of delegation' if role == 'head' else 'Delegate'} of {state}")
        )
        sync_user_rights(user, on=on)
    # Plan the chair's handover to the next chair (once), so the handover page has a checklist to show.
    if chair_term is not None and not Handover.objects.filter(outgoing_term=chair_term).exists():
        # Without a next term there is nothing to plan (`manage.py rotation ACCMSME --apply` writes it).
        with suppress(ValidationError):
            handover_plan_next(body=accmsme, on=on)
    return rows
