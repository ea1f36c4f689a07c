"""Schemathesis over every API operation, long: as the Secretariat and as a delegate, N generated cases
per operation with generated ids and N more with ids the user can see (tests/hostile/fuzzing.py). Counts
server errors and schema violations; the suite runs the same with a few cases (tests/hostile/test_fuzz.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_fuzz python bench/fuzz.py --examples 50

Then the stateful phase (``--scenarios``): linked calls where the ids one answer gives are the path
parameters of the next, so created objects are read, changed and deleted by the calls that follow.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=50, help="cases per operation and id source")
    parser.add_argument("--roles", nargs="+", default=["secretariat", "delegate"])
    parser.add_argument("--scenarios", type=int, default=200, help="stateful scenarios per role (0: none)")
    parser.add_argument("--steps", type=int, default=10, help="linked calls per scenario at most")
    args = parser.parse_args()

    import os

    os.environ.setdefault("API_THROTTLE_RATE", "")  # the fuzzer sends thousands of requests a minute
    from _setup import setup

    setup("fuzz")
    from django.conf import settings

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="fuzz-media-")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["*"]
    from tests.hostile.fuzzing import fuzz, fuzz_stateful
    from tests.world.roles import roles_scene

    world = roles_scene()
    failed = False
    runs = [(role, "per operation") for role in args.roles]
    runs += [(role, "stateful") for role in args.roles if args.scenarios]
    for role, phase in runs:
        user = getattr(world, role)
        if phase == "stateful":
            report = fuzz_stateful(user, role, scenarios=args.scenarios, steps=args.steps)
        else:
            report = fuzz(user, role, max_examples=args.examples)
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(report.statuses.items()))
        print(
            f"{role} ({phase}): {report.operations} operations, {report.cases} cases "
            f"({report.linked} with an id from an earlier answer) in {report.seconds:.0f} s; "
            f"server errors {len(report.server_errors)}, schema violations {len(report.violations)}; "
            f"statuses {codes}"
        )
        distinct = collections.Counter(line.split(":", 1)[0] for line in report.failures)
        for where, n in distinct.most_common():
            print(f"  {n} x {where}")
        for line in report.failures[:3]:  # the first few in full, to reproduce
            print("   ", line[:1500].replace("\n", "\n    "))
        failed = failed or bool(report.failures)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
