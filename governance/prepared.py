"""Querysets compiled to SQL once per process: the key pages' fixed reads without the ORM's per-request work.

Issue 21: a key page's statements take 2-9 ms in the database, and building and compiling each queryset
costs the ORM 0.3-0.9 ms more per statement, every request, for SQL that differs only in its parameters.
``Prepared(build)`` compiles ``build(**arguments)`` once per process (and per shape of the arguments, see
``_shape``) with stand-in values, finds each stand-in among the compiled parameters, and from then on runs
the same SQL with the call's own values bound in their places. Rows come back as the queryset gives them
(model instances with their ``select_related`` rows, or values): Django's own iterables read them.

The rules for a builder:
- it is a pure function of its keyword arguments (no database reads, no clock, no settings that change);
- the arguments are ints, strings, dates, datetimes, lists of ints (for ``__any_of``), booleans or None,
  and ids rather than model instances; a value whose shape the SQL depends on (a boolean, None, an empty
  list) is part of the plan's key, so each shape is compiled on its own.
When a stand-in cannot be found in the compiled parameters exactly (a lookup that rewrites its value, such
as ``__contains``, or ``__in`` outside PostgreSQL's ``any_of``), that shape is evaluated as a plain queryset
every time: slower, never wrong. ``tests/governance/test_prepared.py`` holds the plans to the plain querysets.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

_MISSING = object()


class _Unprepared(Exception):
    """The builder's SQL does not carry each stand-in as a parameter of its own."""


def _stand_in(position: int, value: Any) -> Any:
    """A value of the argument's type that no real query passes and no constant of a builder equals."""
    if value is None or isinstance(value, bool):
        return value  # part of the key: compiled as it is
    if isinstance(value, int):
        return -987_654_000 - position
    if isinstance(value, str):
        return f"\x1fstand-in {position}\x1f"
    if isinstance(value, dt.datetime):
        return dt.datetime(1, 1, 2 + position, tzinfo=dt.UTC if value.tzinfo else None)
    if isinstance(value, dt.date):
        return dt.date(1, 1, 2 + position)
    if isinstance(value, list | tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return [-876_543_000 - 10 * position, -876_543_000 - 10 * position + 1] if value else []
    raise TypeError(f"Prepared querysets take ints, strings, dates and id lists, not {type(value).__name__}")


def _shape(arguments: dict[str, Any]) -> tuple:
    """What of the arguments the SQL itself depends on: their names and types, booleans and None as they
    are, and whether a list is empty."""
    shape = []
    for name, value in sorted(arguments.items()):
        if value is None or isinstance(value, bool):
            shape.append((name, value))
        elif isinstance(value, list | tuple):
            shape.append((name, "list", bool(value)))
        else:
            shape.append((name, type(value).__name__))
    return tuple(shape)


class _Plan:
    """The compiled SQL of one shape: its compiler (with the select and row layout Django's iterables
    read), the SQL, and for each parameter the argument bound there (or its constant)."""

    def __init__(self, queryset: QuerySet, stand_ins: dict[str, Any]) -> None:
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()  # also lays out compiler.select, klass_info, col_count
        if not sql:
            raise _Unprepared("empty query")
        # None, booleans and empty lists are compiled as they are (the plan's key holds them); the rest
        # must each turn up as a parameter of their own. ``type(...) is`` keeps 1 from matching True.
        bindable = {
            n: s for n, s in stand_ins.items() if s is not None and not isinstance(s, bool) and s != []
        }
        slots: list[tuple[bool, Any]] = []
        found: set[str] = set()
        for param in params:
            names = [n for n, s in bindable.items() if type(s) is type(param) and s == param]
            if len(names) > 1:
                raise _Unprepared("two arguments share a stand-in")
            if names:
                slots.append((True, names[0]))
                found.add(names[0])
            else:
                slots.append((False, param))
        if found != set(bindable):
            raise _Unprepared(f"arguments not bound as parameters: {sorted(set(bindable) - found)}")
        self.template = queryset
        self.compiler = compiler
        self.sql = sql
        self.slots = slots
        # The row converters of the select, per connection (they are bound to its operations): Django
        # works them out again for every execution, column by column.
        self.fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters: dict[int, dict] = {}

    def params(self, arguments: dict[str, Any]) -> tuple:
        params = tuple(arguments[v] if bound else v for bound, v in self.slots)
        if any(isinstance(p, list) for p in params):
            # ``__any_of`` sorts and dedupes its ids (governance.lookups): the same here.
            params = tuple(sorted({int(i) for i in p}) if isinstance(p, list) else p for p in params)
        return params

    def count(self, arguments: dict[str, Any]) -> int:
        # The subquery form Django's own ``count()`` gives a sliced or distinct queryset.
        with connections[self.template.db].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({self.sql}) subquery", self.params(arguments))
            return cursor.fetchone()[0]

    def run(self, arguments: dict[str, Any]) -> list:
        params = self.params(arguments)
        compiler = copy.copy(self.compiler)
        connection = compiler.connection = connections[self.template.db]  # this thread's connection
        compiler.as_sql = lambda *args, **kwargs: (self.sql, params)
        # Keyed by the connection object, which the cached converters keep alive (so its id is not reused).
        converters = self.converters.get(id(connection))
        if converters is None:
            converters = self.converters[id(connection)] = compiler.get_converters(self.fields)
        compiler.get_converters = _known_converters(compiler.get_converters, self.fields, converters)
        queryset = self.template._chain()
        # Only this private clone answers with the compiled SQL; it is read here and never chained.
        queryset.query.get_compiler = _fixed(compiler)
        return list(queryset)


def _fixed(compiler: SQLCompiler) -> Callable[..., SQLCompiler]:
    return lambda *args, **kwargs: compiler


def _known_converters(work_out: Callable[[list], dict], fields: list, known: dict) -> Callable[[list], dict]:
    """``get_converters`` answering from ``known`` when asked about the plan's own select columns (the
    only question ``results_iter`` asks), and working out any other."""

    def get_converters(expressions: list) -> dict:
        if len(expressions) == len(fields) and all(a is b for a, b in zip(expressions, fields, strict=True)):
            return known
        return work_out(expressions)

    return get_converters


class Prepared:
    """``Prepared(build)(**arguments)``: the rows of ``build(**arguments)``, as a list, from SQL compiled
    once per process and shape of the arguments."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self._build = build
        self._plans: dict[tuple, _Plan | None] = {}
        self._lock = threading.Lock()

    def __call__(self, **arguments: Any) -> list:
        plan = self._plan(arguments)
        if plan is None:
            return list(self._build(**arguments))
        return plan.run(arguments)

    def count(self, **arguments: Any) -> int:
        """How many rows ``build(**arguments)`` gives, slicing included, as ``QuerySet.count()`` asks
        PostgreSQL for it (a capped count is a sliced builder)."""
        plan = self._plan(arguments)
        if plan is None:
            return self._build(**arguments).count()
        return plan.count(arguments)

    def _plan(self, arguments: dict[str, Any]) -> _Plan | None:
        """The plan for the arguments' shape, compiled on first use; None: run the plain queryset."""
        key = _shape(arguments)
        plan = self._plans.get(key, _MISSING)
        return self._compile(key, arguments) if plan is _MISSING else plan

    def _compile(self, key: tuple, arguments: dict[str, Any]) -> _Plan | None:
        stand_ins = {name: _stand_in(i, value) for i, (name, value) in enumerate(sorted(arguments.items()))}
        try:
            plan: _Plan | None = _Plan(self._build(**stand_ins), stand_ins)
        except (_Unprepared, EmptyResultSet):  # EmptyResultSet: ``qs.none()``, an empty ``__in``
            plan = None
        with self._lock:
            self._plans[key] = plan
        return plan
