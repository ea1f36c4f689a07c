"""How much the permission filter costs when listing a user's meetings, with 100,000 object permissions.

    python bench/permissions.py [--permissions 100000] [--runs 31]

Builds, in a throwaway database (SQLite in a temporary directory unless ``VAR_DIR`` / ``BENCH_VAR_DIR`` or
``DATABASE_URL`` say otherwise; on PostgreSQL the database named in ``DATABASE_URL`` is dropped and
re-created), 2,000 users on 200 bodies with 20,000 meetings, and bulk-creates the object permissions in
django-guardian's direct foreign-key tables: body rights (``BodyUserObjectPermission``) and single-meeting
rights (``MeetingUserObjectPermission``). Then it times, for one delegate, ``meetings.selectors.
visible_meetings`` against the same query without the permission filter, fetching the same number of rows,
and prints the ratio (median of ``--runs`` runs after two warm-ups, the two queries
alternating so that load on the machine weighs on both alike):

- a page: the 50 most recent meetings;
- the whole list: every meeting the delegate may see, against as many meetings taken unfiltered;
- the same page against the same rule with the user's rights given as literal ids (the cost of reading
  the permission tables alone);
- a count.

Then it sets the same page against django-guardian's own API on the same rows (``--guardian``, on by
default): ``get_objects_for_user`` with the meeting and body querysets as ``klass``, and, for the yes/no
checks of a page of 50 meetings, an ``ObjectPermissionChecker`` with ``prefetch_perms`` against
``meetings.permissions.meeting_visible`` (the rights read once per request), with the queries each takes.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

N_USERS = 2000
N_BODIES = 200
N_MEETINGS = 20000
BODIES_PER_USER = 5
BATCH = 5000


def build(n_permissions: int, *, seed: int = 11) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection, transaction
    from django.utils import timezone

    from governance.models import Body, BodyUserObjectPermission, Person
    from governance.permissions import ROLE_RIGHTS
    from meetings.models import Meeting, MeetingUserObjectPermission

    rng = random.Random(seed)
    User = get_user_model()
    with transaction.atomic():
        User.objects.bulk_create(
            [
                User(username=f"bench-{i}", password="!", email=f"b{i}@bench.example.org")
                for i in range(N_USERS)
            ],
            batch_size=BATCH,
        )
        users = list(
            User.objects.filter(username__startswith="bench-").order_by("pk").values_list("pk", flat=True)
        )
        Person.objects.bulk_create(
            [Person(user_id=u, full_name=f"Bench {u}") for u in users], batch_size=BATCH
        )
        Body.objects.bulk_create(
            [
                Body(
                    acronym=f"B{i:03d}",
                    name=f"Bench body {i}",
                    kind="sectoral_committee",
                    chair_policy="designated",
                )
                for i in range(N_BODIES)
            ],
            batch_size=BATCH,
        )
        bodies = list(
            Body.objects.filter(acronym__startswith="B").order_by("pk").values_list("pk", flat=True)
        )
        start = timezone.make_aware(dt.datetime(2007, 1, 1, 9, 0))
        Meeting.objects.bulk_create(
            [
                Meeting(
                    body_id=bodies[i % N_BODIES],
                    title=f"Meeting {i}",
                    start=start + dt.timedelta(days=i // 10),
                    end=start + dt.timedelta(days=i // 10, hours=8),
                    timezone="Asia/Jakarta",
                    is_public=(i % 7 == 0),
                    uid=f"bench-{i}@accmsme.asean.org",
                )
                for i in range(N_MEETINGS)
            ],
            batch_size=BATCH,
        )
        meetings = list(Meeting.objects.order_by("pk").values_list("pk", flat=True))

        perm = dict(
            Permission.objects.filter(
                content_type__app_label__in=["governance", "meetings"],
                codename__in=[*{c for codes in ROLE_RIGHTS.values() for c in codes}, "view_meeting"],
            ).values_list("codename", "pk")
        )
        delegate_codes = [perm[c] for c in sorted(ROLE_RIGHTS["delegate"])]
        body_rows, meeting_rows = [], []
        body_budget = int(n_permissions * 0.4)
        for u in users:  # each user sits on a few bodies as a delegate
            for b in rng.sample(bodies, BODIES_PER_USER):
                for p in delegate_codes:
                    if len(body_rows) < body_budget:
                        body_rows.append(
                            BodyUserObjectPermission(user_id=u, content_object_id=b, permission_id=p)
                        )
        per_user = (n_permissions - len(body_rows)) // len(users) + 1
        for u in users:  # and was invited to single meetings of other bodies
            for m in rng.sample(meetings, per_user):
                if len(body_rows) + len(meeting_rows) < n_permissions:
                    meeting_rows.append(
                        MeetingUserObjectPermission(
                            user_id=u, content_object_id=m, permission_id=perm["view_meeting"]
                        )
                    )
        BodyUserObjectPermission.objects.bulk_create(body_rows, batch_size=BATCH, ignore_conflicts=True)
        MeetingUserObjectPermission.objects.bulk_create(meeting_rows, batch_size=BATCH, ignore_conflicts=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # fresh statistics, as autovacuum (or SQLite's optimizer) would have them
    return {
        "users": len(users),
        "bodies": len(bodies),
        "meetings": len(meetings),
        "permissions": BodyUserObjectPermission.objects.count() + MeetingUserObjectPermission.objects.count(),
        "user": users[len(users) // 2],
    }


def paired_medians(f, g, runs: int) -> tuple[float, float]:
    """Median times of ``f`` and ``g``, run alternately so that load on the machine weighs on both alike."""
    for _ in range(2):
        f()
        g()
    tf, tg = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        t1 = time.perf_counter()
        g()
        tg.append(time.perf_counter() - t1)
        tf.append(t1 - t0)
    return statistics.median(tf), statistics.median(tg)


def measure(user_id: int, runs: int) -> list[tuple[str, float, float, int]]:
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from governance.models import BodyUserObjectPermission
    from meetings.models import Meeting, MeetingUserObjectPermission
    from meetings.selectors import visible_meetings

    def user():
        # A fresh user object per run, as each request loads one: no answer is cached between runs.
        return get_user_model().objects.get(pk=user_id)

    n_visible = visible_meetings(user()).count()
    # The same rule with the user's rights already known as literal id lists: what the filter would cost
    # if reading the permission tables were free.
    bodies = list(
        BodyUserObjectPermission.objects.filter(
            user_id=user_id, permission__codename="view_body"
        ).values_list("content_object_id", flat=True)
    )
    singles = list(
        MeetingUserObjectPermission.objects.filter(user_id=user_id).values_list(
            "content_object_id", flat=True
        )
    )
    cases = [
        (
            "page of 50 (newest first)",
            lambda: list(visible_meetings(user()).order_by("-start")[:50]),
            lambda: (user(), list(Meeting.objects.order_by("-start")[:50])),
            50,
        ),
        (
            f"whole list ({n_visible} meetings)",
            lambda: list(visible_meetings(user()).order_by("start")),
            lambda: (user(), list(Meeting.objects.order_by("start")[:n_visible])),
            n_visible,
        ),
        (
            "page of 50, rights as literal ids",
            lambda: list(visible_meetings(user()).order_by("-start")[:50]),
            lambda: (
                user(),
                list(
                    Meeting.objects.filter(Q(body_id__in=bodies) | Q(pk__in=singles)).order_by("-start")[:50]
                ),
            ),
            50,
        ),
        (
            "count",
            lambda: visible_meetings(user()).count(),
            lambda: (user(), Meeting.objects.count()),
            1,
        ),
    ]
    return [(name, *paired_medians(f, g, runs), rows) for name, f, g, rows in cases]


def visible_meetings_by_guardian(user):
    """The rule of ``meetings.permissions.meetings_visible`` asked of guardian's own API: the bodies with
    ``view_body`` or ``observe_body`` and the meetings with ``view_meeting``, each an already-filtered
    ``klass``."""
    from django.db.models import Q
    from guardian.shortcuts import get_objects_for_user

    from governance.models import Body
    from meetings.models import Meeting

    def bodies(code):
        return get_objects_for_user(
            user, code, klass=Body.objects.all(), use_groups=False, with_superuser=False
        ).values("pk")

    singles = get_objects_for_user(
        user, "view_meeting", klass=Meeting.objects.all(), use_groups=False, with_superuser=False
    ).values("pk")
    return Meeting.objects.filter(
        Q(body__in=bodies("view_body"))
        | Q(body__in=bodies("observe_body"), is_public=True)
        | Q(pk__in=singles)
    )


def measure_guardian(user_id: int, runs: int) -> list[tuple[str, float, float, int, int]]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from guardian.core import ObjectPermissionChecker

    from governance.models import Body
    from meetings.models import Meeting
    from meetings.permissions import meeting_visible, meetings_visible

    def user():
        return get_user_model().objects.get(pk=user_id)

    page = list(Meeting.objects.order_by("-start")[:50])
    assert {m.pk for m in visible_meetings_by_guardian(user())} == {m.pk for m in meetings_visible(user())}

    def ours_checks():
        u = user()
        return [meeting_visible(u, m) for m in page]

    def guardian_checks():
        checker = ObjectPermissionChecker(user())
        checker.prefetch_perms(Body.objects.filter(pk__in={m.body_id for m in page}))
        checker.prefetch_perms(page)
        out = []
        for m in page:
            body = Body(pk=m.body_id)
            out.append(
                checker.has_perm("view_body", body)
                or (checker.has_perm("observe_body", body) and m.is_public)
                or checker.has_perm("view_meeting", m)
            )
        return out

    assert ours_checks() == guardian_checks()

    def queries(f) -> int:
        with CaptureQueriesContext(connection) as ctx:
            f()
        return len(ctx.captured_queries)

    cases = [
        (
            "page of 50: guardian get_objects_for_user vs ours",
            lambda: list(visible_meetings_by_guardian(user()).order_by("-start")[:50]),
            lambda: list(meetings_visible(user()).order_by("-start")[:50]),
        ),
        (
            "count: guardian vs ours",
            lambda: visible_meetings_by_guardian(user()).count(),
            lambda: meetings_visible(user()).count(),
        ),
        ("50 yes/no checks: guardian checker vs ours", guardian_checks, ours_checks),
    ]
    return [(name, *paired_medians(g, o, runs), queries(g), queries(o)) for name, g, o in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--permissions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--no-guardian", dest="guardian", action="store_false")
    args = parser.parse_args()

    if "BENCH_VAR_DIR" not in os.environ:
        if os.environ.get("VAR_DIR"):
            os.environ["BENCH_VAR_DIR"] = os.environ["VAR_DIR"]
        else:
            os.environ["BENCH_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-permissions-")
            atexit.register(shutil.rmtree, os.environ["BENCH_VAR_DIR"], ignore_errors=True)
    from _setup import setup

    setup("permissions")
    from django.conf import settings

    db = settings.DATABASES["default"]
    t0 = time.perf_counter()
    info = build(args.permissions)
    print(
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({db['NAME']}); built in {time.perf_counter() - t0:.1f}s: "
        f"{info['users']} users, {info['bodies']} bodies, {info['meetings']} meetings, "
        f"{info['permissions']} object permissions"
    )
    print(f"median of {args.runs} runs, one delegate (user {info['user']}):")
    print(f"  {'query':<34} {'with permissions':>17} {'without':>10} {'ratio':>7}")
    for name, with_perm, without, _rows in measure(info["user"], args.runs):
        print(
            f"  {name:<34} {with_perm * 1000:>14.2f} ms {without * 1000:>7.2f} ms {with_perm / without:>6.2f}x"
        )
    if args.guardian:
        print("guardian's own API against the rules as written (same rows, same answers; queries per call):")
        print(f"  {'query':<50} {'guardian':>17} {'ours':>17} {'ratio':>7}")
        for name, g, o, gq, oq in measure_guardian(info["user"], args.runs):
            print(
                f"  {name:<50} {g * 1000:>8.2f} ms ({gq:>2} q) {o * 1000:>8.2f} ms ({oq:>2} q) {g / o:>6.2f}x"
            )


if __name__ == "__main__":
    main()
