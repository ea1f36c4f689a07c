"""bench/compare.py --ratios flags a ratio (figure over its floor) that grew by more than 20% against the
previous commit's, and only those. Pure arithmetic on two results files: no server, no database."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

from tests import PROJECT_ROOT

_spec = importlib.util.spec_from_file_location("bench_compare", PROJECT_ROOT / "bench" / "compare.py")
compare = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = compare
_spec.loader.exec_module(compare)


def row(ratio: float) -> dict[str, float]:
    return {"figure": ratio * 10, "floor": 10.0, "ratio": ratio}


PREVIOUS = {"dashboard": row(2.0), "feed": row(0.9), "api": row(1.2), "gone": row(1.0)}


def test_a_ratio_worse_by_more_than_a_fifth_is_flagged_and_no_other():
    current = {
        "dashboard": row(2.5),  # +25%: flagged
        "feed": row(1.07),  # +18.9%: within the noise allowed
        "api": row(0.6),  # better
        "new": row(9.0),  # nothing to compare with
    }
    assert compare.regressions(PREVIOUS, current) == [("dashboard", 2.0, 2.5)]
    lines = compare.ratio_report(PREVIOUS, current)
    flagged = [line for line in lines if compare.FLAG in line]
    assert len(flagged) == 1 and flagged[0].startswith("dashboard")
    assert lines[-1].startswith("1 ratio(s) worse")


def test_exactly_twenty_percent_is_not_flagged():
    assert compare.regressions(PREVIOUS, {"dashboard": row(2.0 * 1.2)}) == []
    assert compare.regressions(PREVIOUS, {"dashboard": row(2.0 * 1.2 + 0.01)}) != []


def test_the_command_exits_non_zero_and_prints_the_flag(tmp_path):
    before, now = tmp_path / "before.json", tmp_path / "now.json"
    before.write_text(json.dumps(PREVIOUS))
    now.write_text(json.dumps({"dashboard": row(3.0), "feed": row(0.9)}))
    script = str(PROJECT_ROOT / "bench" / "compare.py")
    args = [sys.executable, script, "--ratios", "--current", str(now), "--against", str(before)]
    out = subprocess.run(args, capture_output=True, text=True)
    assert out.returncode == 1, out.stderr
    assert compare.FLAG in out.stdout and "dashboard" in out.stdout
    now.write_text(json.dumps({"dashboard": row(2.0), "feed": row(0.5)}))
    out = subprocess.run(args, capture_output=True, text=True)
    assert out.returncode == 0 and compare.FLAG not in out.stdout
