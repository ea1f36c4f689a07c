"""Build a realistic dataset: twenty years of ASEAN economic-pillar meetings.

At size 1: 20 years, 11 member states, 60 bodies with reporting lines, 3,000 people, 4,000 meetings,
80,000 agenda items, 40,000 documents (metadata only), 300,000 invitations, chair terms and action items.
``--size`` scales everything but the states and the years (0.1, 1, 10).

    python bench/generate.py --size 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import zoneinfo

BATCH = 5000
FIRST_YEAR = 2007
YEARS = 20


def generate(size: float = 1.0, *, seed: int = 7) -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from chairmanship.models import ChairTerm
    from governance.models import Body, Membership, MemberState, Person, ReportingLine
    from meetings.models import ActionItem, AgendaItem, Document, Invitation, Meeting, MeetingSeries
    from portal.seed import seed_asean

    rng = random.Random(seed)
    seed_asean()
    states = list(MemberState.objects.order_by("short_name"))
    n_bodies = max(8, round(60 * size))
    n_people = max(60, round(3000 * size))
    n_meetings = max(40, round(4000 * size))
    sizes = (20, 10, 75)  # agenda items, documents and invitations per meeting

    with transaction.atomic():
        # Bodies: the seeded eight plus working groups under SEOM, each reporting to SEOM or to a committee.
        seom = Body.objects.get(acronym="SEOM")
        existing = list(Body.objects.all())
        new_bodies = [
            Body(
                acronym=f"WG-{i:03d}",
                name=f"Working Group {i}",
                kind=Body.Kind.SECTORAL_COMMITTEE,
                meetings_per_year=2,
                chair_policy=Body.ChairPolicy.OWN_ROTATION,
            )
            for i in range(max(0, n_bodies - len(existing)))
        ]
        Body.objects.bulk_create(new_bodies, batch_size=BATCH)
        bodies = list(Body.objects.order_by("pk"))
        wgs = [b for b in bodies if b.acronym.startswith("WG-")]
        lines = []
        for i, wg in enumerate(wgs):
            parent = seom if i < 20 else wgs[i % 20]  # twenty groups under SEOM, the rest under one of them
            lines.append(ReportingLine(from_body=wg, to_body=parent, kind="reports_to"))
        # bulk_create skips save(), so the cycle check does not run: the shape above is a tree by construction.
        ReportingLine.objects.bulk_create(lines, batch_size=BATCH)

        people = [
            Person(
                full_name=f"Person {i}", email=f"p{i}@bench.example.org", member_state=states[i % len(states)]
            )
            for i in range(n_people)
        ]
        Person.objects.bulk_create(people, batch_size=BATCH)
        people = list(Person.objects.order_by("pk"))
        by_state: dict[int, list[Person]] = {}
        for p in people:
            by_state.setdefault(p.member_state_id, []).append(p)

        memberships = []
        seats: dict[int, list[Person]] = {}
        for body in bodies:
            for state in states:
                pool = by_state[state.pk]
                chosen = rng.sample(pool, k=min(len(pool), 7))
                for j, person in enumerate(chosen):
                    memberships.append(
                        Membership(
                            person=person,
                            body=body,
                            member_state=state,
                            role="head" if j == 0 else "delegate",
                            start_date=max(dt.date(FIRST_YEAR, 1, 1), state.admitted_on),
                        )
                    )
                    seats.setdefault(body.pk, []).append(person)
        Membership.objects.bulk_create(memberships, batch_size=BATCH)

        terms = []
        for b_i, body in enumerate(wgs):
            for y in range(YEARS):
                year = FIRST_YEAR + y
                members = [s for s in states if s.is_member_on(dt.date(year, 1, 1))]
                terms.append(
                    ChairTerm(
                        body=body,
                        member_state=members[(b_i + y) % len(members)],
                        role="chair",
                        start_date=dt.date(year, 1, 1),
                        end_date=dt.date(year, 12, 31),
                    )
                )
        ChairTerm.objects.bulk_create(terms, batch_size=BATCH)

        series = {
            b.pk: MeetingSeries(
                body=b,
                name=f"{b.acronym} Meeting (bench)",
                numbering="ordinal",
                per_year=2,
                title_template="{ordinal} " + b.acronym + " Meeting",
            )
            for b in bodies
        }
        MeetingSeries.objects.bulk_create(series.values(), batch_size=BATCH)
        meetings = []
        counters: dict[int, int] = {}
        for i in range(n_meetings):
            body = bodies[i % len(bodies)]
            host = states[rng.randrange(len(states))]
            day = dt.date(FIRST_YEAR, 1, 15) + dt.timedelta(days=rng.randrange(YEARS * 365))
            tz = zoneinfo.ZoneInfo(host.timezone)
            start = dt.datetime.combine(day, dt.time(9), tzinfo=tz)
            counters[body.pk] = counters.get(body.pk, 0) + 1
            meetings.append(
                Meeting(
                    body=body,
                    series=series[body.pk],
                    number=counters[body.pk],
                    title=f"{counters[body.pk]} {body.acronym} Meeting",
                    start=start,
                    end=start + dt.timedelta(days=2, hours=8),
                    timezone=host.timezone,
                    host=host,
                    city=host.capital,
                    status="held" if day.year < 2026 else "confirmed",
                    is_public=rng.random() < 0.3,
                    uid=f"bench-{i}@accmsme.asean.org",
                )
            )
        Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        meetings = list(Meeting.objects.order_by("pk").only("pk", "body_id", "start"))

        n = {"agenda": 0, "docs": 0, "invites": 0, "actions": 0}
        agenda, docs, invites, actions = [], [], [], []

        def flush(force: bool = False) -> None:
            for rows, model in (
                (agenda, AgendaItem),
                (docs, Document),
                (invites, Invitation),
                (actions, ActionItem),
            ):
                if rows and (force or len(rows) >= BATCH):
                    model.objects.bulk_create(rows, batch_size=BATCH)
                    rows.clear()

        for m in meetings:
            rows = _meeting_rows(m, rng=rng, pool=seats.get(m.body_id) or people, states=states, sizes=sizes)
            for (bucket, key), made in zip(
                ((agenda, "agenda"), (docs, "docs"), (invites, "invites"), (actions, "actions")),
                rows,
                strict=True,
            ):
                bucket.extend(made)
                n[key] += len(made)
            flush()
        flush(force=True)

        # The user the page benchmarks log in as: a delegate of the Philippines on every body.
        User = get_user_model()
        user, _ = User.objects.get_or_create(
            username="bench-delegate", defaults={"email": "bench@example.org"}
        )
        user.set_password("bench-password-2026")
        user.save()
        Person.objects.filter(pk=people[0].pk).update(user=user)
        Membership.objects.bulk_create(
            [
                Membership(
                    person=people[0],
                    body=b,
                    member_state_id=people[0].member_state_id,
                    role="alternate",
                    start_date=dt.date(FIRST_YEAR, 1, 1),
                )
                for b in bodies
                if not Membership.objects.filter(person=people[0], body=b).exists()
            ]
        )

    from governance.rights import sync_user_rights

    sync_user_rights(User.objects.get(username="bench-delegate"), on=dt.date(2026, 6, 1))
    return {
        "member states": len(states),
        "bodies": Body.objects.count(),
        "reporting lines": ReportingLine.objects.count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "chair terms": ChairTerm.objects.count(),
        "meetings": Meeting.objects.count(),
        "agenda items": AgendaItem.objects.count(),
        "documents": Document.objects.count(),
        "invitations": Invitation.objects.count(),
        "action items": ActionItem.objects.count(),
    }


def _meeting_rows(
    meeting, *, rng: random.Random, pool: list, states: list, sizes: tuple[int, int, int]
) -> tuple:
    """The agenda items, documents, invitations and action items of one generated meeting."""
    from meetings.models import ActionItem, AgendaItem, Document, Invitation

    items_per_meeting, docs_per_meeting, invites_per_meeting = sizes
    m = meeting
    agenda = [
        AgendaItem(meeting_id=m.pk, position=k, title=f"Item {k + 1}") for k in range(items_per_meeting)
    ]
    docs = [
        Document(
            body_id=m.body_id,
            meeting_id=m.pk,
            title=f"Paper {k + 1}",
            kind="working_paper",
            classification=k % 3,
            file=f"documents/bench/{m.pk}-{k}.pdf",
            original_name=f"paper-{k}.pdf",
            content_type="application/pdf",
            size=120_000,
            sha256="0" * 64,
        )
        for k in range(docs_per_meeting)
    ]
    invites = [
        Invitation(
            meeting_id=m.pk,
            person_id=person.pk,
            member_state_id=person.member_state_id,
            partstat=rng.choice(["NEEDS-ACTION", "ACCEPTED", "ACCEPTED", "DECLINED"]),
        )
        for person in rng.sample(pool, k=min(len(pool), invites_per_meeting))
    ]
    actions = [
        ActionItem(
            body_id=m.body_id,
            meeting_id=m.pk,
            title=f"Follow up {k + 1}",
            owner_state_id=states[k].pk,
            due_date=m.start.date() + dt.timedelta(days=90),
            status="done" if m.start.year < 2025 else "open",
        )
        for k in range(3)
    ]
    return agenda, docs, invites, actions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1.0, help="scale factor: 0.1, 1, 10")
    args = parser.parse_args()
    from _setup import setup

    setup(f"size-{args.size:g}")
    t0 = time.perf_counter()
    counts = generate(args.size)
    took = time.perf_counter() - t0
    print(f"Generated size {args.size:g} in {took:.1f} s")
    for name, value in counts.items():
        print(f"  {name:<16} {value:>10,}")


if __name__ == "__main__":
    main()
