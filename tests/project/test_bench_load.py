"""bench/load.py reads wrk's report right: a redirect to the login page or a timeout must show as an error,
never as a fast, clean run. Pure parsing: no wrk, no server, no database."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests import PROJECT_ROOT

_spec = importlib.util.spec_from_file_location("bench_load", PROJECT_ROOT / "bench" / "load.py")
load = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = load  # dataclasses look the module up while the file runs
_spec.loader.exec_module(load)

# A real report from wrk 4.1.0 (Debian) with bench/load.py's Lua script, trimmed of nothing.
CLEAN = """\
Running 5s test @ http://127.0.0.1:39939/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   387.73ms   78.62ms 629.44ms   75.00%
    Req/Sec    11.16      5.50    20.00     55.88%
  Latency Distribution
     50%  385.17ms
     75%  438.62ms
     90%  489.59ms
     99%  629.44ms
  100 requests in 5.02s, 1.07MB read
Requests/sec:     19.93
Transfer/sec:    219.10KB
bench-statuses: 200=100
"""

# Session gone mid-run: wrk itself counts only the 500s (status > 399), not the 302s to the login page.
BROKEN = """\
Running 20s test @ http://127.0.0.1:47241/calendar/feed/x.ics
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.37s     0.00us   9.37s   100.00%
    Req/Sec     0.00      0.00     0.00    100.00%
  Latency Distribution
     50%   850.00us
     75%    1.20ms
     90%    2.00s
     99%    1.50m
  1234 requests in 20.06s, 4.47MB read
  Socket errors: connect 1, read 2, write 0, timeout 4
  Non-2xx or 3xx responses: 3
Requests/sec:     61.52
Transfer/sec:    228.28KB
bench-statuses: 200=1000 302=231 500=3
"""


def test_clean_run() -> None:
    r = load.parse_wrk(CLEAN)
    assert (r.requests, r.requests_per_s) == (100, 19.93)
    assert r.latency_p50_ms == pytest.approx(385.17)
    assert r.latency_p99_ms == pytest.approx(629.44)
    assert r.statuses == {200: 100}
    assert r.errors == 0


def test_redirects_timeouts_and_socket_errors_are_errors() -> None:
    r = load.parse_wrk(BROKEN)
    assert r.latency_p50_ms == pytest.approx(0.85)  # microseconds
    assert r.latency_p99_ms == pytest.approx(90_000)  # minutes
    assert r.wrk_non_2xx_3xx == 3
    assert r.socket_errors == 7
    assert r.bad_statuses == 234  # the 302s count, not only wrk's 3
    assert r.errors == 241


def test_without_the_lua_line_falls_back_to_wrks_count() -> None:
    r = load.parse_wrk(BROKEN.replace("bench-statuses: 200=1000 302=231 500=3\n", ""))
    assert r.statuses == {}
    assert r.errors == 3 + 7


@pytest.mark.parametrize(
    "text",
    ["", "wrk: connection refused\n", CLEAN.replace("  Latency Distribution\n", "").replace("     99%", "")],
)
def test_not_a_full_report_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        load.parse_wrk(text)
