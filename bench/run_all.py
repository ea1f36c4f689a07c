"""`make bench`: every figure the scale issue asks for, one script after the other, printed side by side.

Each figure is printed with its floor and their ratio (bench/_floors.py); the ratios go to
bench/results.json, which a commit keeps, and the run ends with ``bench/compare.py --ratios``: every ratio
beside the previous commit's, flagged when worse by more than 20%.

Each script builds its own throwaway database under var/bench/ (or uses DATABASE_URL / REDIS_URL when set),
so nothing here touches the development data. Pass --quick for a smaller run that still exercises everything.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(title: str, args: list[str]) -> int:
    print(f"\n=== {title} ===", flush=True)
    return subprocess.call([sys.executable, *args], cwd=HERE.parent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 0.1 and 1, 1,000 invitees, 5 s of wrk")
    opts = parser.parse_args()
    sizes = ["0.1", "1"] if opts.quick else ["1", "10"]
    invitees = "1000" if opts.quick else "10000"
    failures = 0
    failures += run("Pages and API: queries and times", [str(HERE / "pages.py"), "--sizes", *sizes])
    failures += run("The 500-meeting private feed against icalendar alone", [str(HERE / "feed.py")])
    failures += run(
        "Permissions: visible meetings with 100,000 object permissions", [str(HERE / "permissions.py")]
    )
    failures += run(
        "Fan-out of invites",
        [str(HERE / "notify.py"), "--size", invitees],
    )
    failures += run(
        "Fan-out with a worker killed mid-run", [str(HERE / "notify.py"), "--size", invitees, "--kill"]
    )
    fault_args = ["--size", "1000", "--seconds", "5"] if opts.quick else ["--size", "5000"]
    failures += run(
        "Reliability: worker SIGKILL, Redis restart, database drop under requests",
        [str(HERE / "faults.py"), *fault_args],
    )
    # wrk when installed (apt-get install -y wrk), else load.py's own keep-alive load generator.
    load_args = ["--size", "0.1", "--duration", "5"] if opts.quick else ["--size", "1", "--duration", "20"]
    failures += run(
        "Under load: gunicorn, 2 workers, wrk (or Python) on the dashboard and the feed against a bare view",
        [str(HERE / "load.py"), *load_args],
    )
    failures += run("Ratios against the previous commit's", [str(HERE / "compare.py"), "--ratios"])
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
