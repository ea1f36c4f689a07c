"""Schemathesis over the whole API, in process (the WSGI app), as a given user: the pytest suite runs a
bounded pass, ``bench/fuzz.py`` a long one. Both count server errors and schema violations per operation."""

from __future__ import annotations

import collections
import dataclasses
import time

import hypothesis
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from schemathesis import checks as st_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import checks as oa_checks

SCHEMA_PATH = "/api/schema/?format=json"
# A 5xx is a bug; so is an answer the schema does not describe (status, content type, body, headers).
CHECKS = [
    st_checks.not_a_server_error,
    oa_checks.status_code_conformance,
    oa_checks.content_type_conformance,
    oa_checks.response_schema_conformance,
    oa_checks.response_headers_conformance,
]


@dataclasses.dataclass
class FuzzReport:
    role: str
    operations: int = 0
    cases: int = 0
    seconds: float = 0.0
    server_errors: list[str] = dataclasses.field(default_factory=list)
    violations: list[str] = dataclasses.field(default_factory=list)
    statuses: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    linked: int = 0  # stateful calls whose path parameters came from an earlier answer

    @property
    def failures(self) -> list[str]:
        return self.server_errors + self.violations


def session_credentials(user) -> tuple[dict[str, str], dict[str, str]]:
    """Cookies and headers of a logged-in browser session: the session cookie and the CSRF token DRF's
    SessionAuthentication asks for on writes."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/accounts/login/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    if not token:
        from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

        secret = _get_new_csrf_string()
        client.cookies["csrftoken"] = secret
        token = _mask_cipher_secret(secret)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    return cookies, {"X-CSRFToken": token, "Referer": "http://testserver/"}


def load_schema():
    return schemathesis.openapi.from_wsgi(SCHEMA_PATH, get_wsgi_application())


def known_ids(user, paths) -> dict[str, dict[str, str]]:
    """For each path with an ``{id}``: a real id the user can list, so the fuzzer reaches past the 404
    (the stateful part: ids come from the API's own answers)."""
    client = Client()
    client.force_login(user)
    found: dict[str, dict[str, str]] = {}
    for path in paths:
        if "{id}" not in path:
            continue
        collection = path.split("{id}", 1)[0]
        response = client.get(collection, {"limit": 5})
        if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith(
            "application/json"
        ):
            continue
        data = response.json()
        rows = data.get("results", []) if isinstance(data, dict) else data
        ids = [row["id"] for row in rows if isinstance(row, dict) and "id" in row]
        if ids:
            found[path] = {"id": str(ids[-1])}
    return found


def fuzz(user, role: str, *, max_examples: int, deadline_seconds: float | None = None) -> FuzzReport:
    """Every operation of the schema as ``user``: ``max_examples`` cases with generated ids and as many
    with an id the user can see."""
    schema = load_schema()
    cookies, headers = session_credentials(user)
    report = FuzzReport(role=role)
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    ids = known_ids(user, {op.path for op in operations})
    for operation in operations:
        report.operations += 1
        strategies = [operation.as_strategy()]
        if operation.path in ids:
            strategies.append(operation.as_strategy(path_parameters=ids[operation.path]))
        for strategy in strategies:
            _fuzz_operation(strategy, report, cookies=cookies, headers=headers, max_examples=max_examples)
        if deadline_seconds and time.monotonic() - started > deadline_seconds:
            break
    report.seconds = time.monotonic() - started
    return report


def fuzz_stateful(user, role: str, *, scenarios: int, steps: int = 8) -> FuzzReport:
    """Schemathesis' stateful phase as ``user``: scenarios of linked calls, where the ids an answer
    carries (a created meeting, its agenda item ...) are the path parameters of the next call. The links
    come from schemathesis' own analysis of the schema (path parameters against response fields)."""
    schema = load_schema()
    cookies, headers = session_credentials(user)
    report = FuzzReport(role=role)
    started = time.monotonic()

    class Machine(schema.as_state_machine()):
        def step(self, input):
            if input.transition is not None and input.is_applied:
                report.linked += 1  # this call used an id an earlier answer gave
            return super().step(input)

        def get_call_kwargs(self, case):
            return {"headers": headers, "cookies": cookies}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            _check(case, response, report, headers=headers)  # counted, never raised: the scenario goes on

    Machine.run(
        settings=hypothesis.settings(
            max_examples=scenarios,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.generate],
        )
    )
    report.seconds = time.monotonic() - started
    return report


def _check(case, response, report: FuzzReport, *, headers) -> None:
    label = f"{case.operation.method.upper()} {case.operation.path}"
    report.cases += 1
    report.statuses[response.status_code] += 1
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except FailureGroup as exc:  # keep its report, go on with the next case
        line = f"{label} -> {response.status_code}: {exc}"
        if response.status_code >= 500:
            report.server_errors.append(line[:3000])
        else:
            report.violations.append(line[:3000])


def _fuzz_operation(strategy, report: FuzzReport, *, cookies, headers, max_examples: int) -> None:
    @hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @hypothesis.given(case=strategy)
    def run(case):
        _check(case, case.call(headers=headers, cookies=cookies), report, headers=headers)

    run()
