"""What a run needs from the machine: tests that need a missing service skip, unless REQUIRE_SERVICES is
set (CI sets it), which turns those skips into failures."""

from __future__ import annotations

import os
import socket

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def service_missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def free_port() -> int:
    """A loopback port free now, for a server a test starts (gunicorn, an SMTP sink)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
