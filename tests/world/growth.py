"""More of the world, for the query-count tests: the same page drawn with little and with much data must
cost the same number of queries."""

from __future__ import annotations

from collections.abc import Iterator

from governance.models import Body, MemberState
from tests.world.people import body_make


def task_forces_grown(n: int, *, start: int) -> Iterator[tuple[int, Body, list[MemberState]]]:
    """n more task forces (``TF-<start>`` on), each yielded with its number and the member states by
    name, for the caller to give it what its pages list (members, chair terms, a handover...)."""
    states = list(MemberState.objects.order_by("short_name"))
    for i in range(start, start + n):
        tf = body_make(f"TF-{i}", name=f"Task force {i}", kind="task_force", chair_policy="designated")
        yield i, tf, states
