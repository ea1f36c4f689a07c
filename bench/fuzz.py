"""Schemathesis over every API operation, long: as the Secretariat and as a delegate, N generated cases
per operation with generated ids and N more with ids the user can see (tests/hostile/fuzzing.py). Counts
server errors and schema violations; the suite runs the same with a few cases (tests/hostile/test_fuzz.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_fuzz python bench/fuzz.py --examples 50
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
    args = parser.parse_args()

    import os

    os.environ.setdefault("API_THROTTLE_RATE", "")  # the fuzzer sends thousands of requests a minute
    from _setup import setup

    setup("fuzz")
    from django.conf import settings

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="fuzz-media-")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["*"]
    from tests.hostile.fuzzing import fuzz
    from tests.world.roles import roles_scene

    world = roles_scene()
    failed = False
    for role in args.roles:
        report = fuzz(getattr(world, role), role, max_examples=args.examples)
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(report.statuses.items()))
        print(
            f"{role}: {report.operations} operations, {report.cases} cases in {report.seconds:.0f} s; "
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
