"""What the outbox knows of the apps above it: only what they register here in ``AppConfig.ready()``.

A *kind* (``invite``, ``handover``, ``account``...) is registered by the app that owns it with:

- ``build(message, ctx)``: the email for one message, built when it is sent from the owner's typed reference
  (so it describes the thing as it is now), or ``Withheld(status, note)`` when it must not go (stale,
  superseded, answered...), or ``Withheld("planned", note)`` when it must not go *yet* (looked at again a
  little later). It runs inside the send's transaction: what it checks it should read again and lock for
  share there, so a change committing meanwhile waits for the send (see ``outbox.sending``);
- ``preload(messages, ctx)`` (optional): load what a batch of its messages needs in a few queries;
- ``lock(messages, ctx)`` (optional): the same reads and locks ``build`` makes, for a chunk of messages
  sent in one transaction (``outbox.sending``), in a few queries instead of a few per message;
- ``describe(messages)`` (optional): what each message is about, for the Outbox page;
- ``late_policy``: what happens to a notice whose moment had passed when it was planned (``skip``, ``send``
  or ``coming_up``), unless ``settings.NOTIFICATION_LATE_POLICY`` says otherwise.

Sweep steps (planning what is coming due, reconciling what a lost hook did not plan) are registered too;
the outbox's beat sweep runs them before it hands out what is due. So are the Outbox page's filters on what
messages are about (``?meeting=<id>``), which only the owner of the thing can answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple


class Withheld(NamedTuple):
    """A message that must not go out, and why: its final status (skipped or cancelled) and a note."""

    status: str
    note: str


class About(NamedTuple):
    """One line of the Outbox page's "about" column."""

    title: str
    url: str = ""
    version: int | None = None
    current_version: int | None = None


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str
    build: Callable[[Any, Any], Any]
    preload: Callable[[list, Any], None] | None = None
    # ``lock(messages, ctx)``: at the start of a chunk's send transaction, read again and lock for share
    # what ``build`` checks for these messages, in a few queries, into ``ctx.locked`` (emptied when that
    # transaction ends); ``build`` then checks against that instead of reading it per message.
    lock: Callable[[list, Any], None] | None = None
    describe: Callable[[list], dict[int, About]] | None = None
    late_policy: str = "skip"
    # Rows written with a due time already past (by apps that plan without looking): not sent by surprise
    # when the kind's policy says skip.
    check_late_at_send: bool = False


LATE_POLICIES = ("skip", "send", "coming_up")

_kinds: dict[str, KindSpec] = {}
_sweep_steps: dict[str, Callable[..., int]] = {}
_page_readers: list[Callable[[Any], bool]] = []
_page_filters: dict[str, Callable[[Any, str], Any]] = {}


def register_kind(spec: KindSpec) -> None:
    if spec.late_policy not in LATE_POLICIES:
        raise ValueError(f"late policy of {spec.kind!r} must be one of {LATE_POLICIES}")
    _kinds[spec.kind] = spec


def register_kinds(specs: Iterable[KindSpec]) -> None:
    for spec in specs:
        register_kind(spec)


def kind_spec(kind: str) -> KindSpec | None:
    return _kinds.get(kind)


def kind_label(kind: str) -> str:
    spec = _kinds.get(kind)
    return spec.label if spec else kind


def kind_choices() -> list[tuple[str, str]]:
    return [(k, s.label) for k, s in _kinds.items()]


def register_sweep_step(name: str, step: Callable[..., int]) -> None:
    """``step(now=...)`` runs in every sweep before the hand-out, as at the sweep's moment; returns a count."""
    _sweep_steps[name] = step


def sweep_steps() -> dict[str, Callable[..., int]]:
    return dict(_sweep_steps)


def register_page_reader(rule: Callable[[Any], bool]) -> None:
    """``rule(user)`` says whether a user may read the Outbox page (the Secretariat, say)."""
    _page_readers.append(rule)


def may_read_page(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(rule(user) for rule in _page_readers)


def register_page_filter(name: str, narrow: Callable[[Any, str], Any]) -> None:
    """``narrow(messages, value)`` keeps the messages the query parameter ``name`` asks for (a queryset of
    ``Message`` in, one out); it is applied when the parameter is given."""
    _page_filters[name] = narrow


def page_filters() -> dict[str, Callable[[Any, str], Any]]:
    return dict(_page_filters)


_page_panels: list[tuple[str, Callable[[], dict]]] = []


def register_page_panel(template: str, data: Callable[[], dict]) -> None:
    """A panel of the Outbox page owned by an app above (the calendar side's mailbox of replies, say):
    ``template`` is included with ``data()`` as ``data``."""
    _page_panels.append((template, data))


def page_panels() -> list[dict]:
    return [{"template": template, "data": data()} for template, data in _page_panels]


_operator_recorders: list[Callable[..., None]] = []


def register_operator_recorder(record: Callable[..., None]) -> None:
    """Who retried, released or cancelled messages from the Outbox page: the app that keeps the audit
    trail registers ``record(request=, action=, summary=, data=)``."""
    _operator_recorders.append(record)


def operator_acted(*, request, action: str, summary: str, ids: list[int]) -> None:
    for record in _operator_recorders:
        record(request=request, action=action, summary=summary, data={"messages": ids[:500]})
