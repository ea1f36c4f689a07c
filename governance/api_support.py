"""What every API view shares, whichever app it belongs to: one exception handler (a database refusal is a
409 or a 400 naming the field, never a 500), serializer fields that carry the input rules, serializers
that check the model's constraints before the database does, a bounded paginator, and the schema hook
that documents the error answers each operation really gives.

Installed from ``settings.REST_FRAMEWORK`` and ``GovernanceConfig.ready()``; see
docs/decisions/0042-hostile-input.md.
"""

from __future__ import annotations

import copy
import logging

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DEFAULT_DB_ALIAS, DataError, IntegrityError, models
from django.db.models import F, ProtectedError, Q, RestrictedError
from django.db.models.constraints import BaseConstraint, CheckConstraint, UniqueConstraint
from rest_framework import fields as drf_fields
from rest_framework import pagination, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from governance.input_rules import date_in_range, single_line

log = logging.getLogger(__name__)

IN_USE = "It is still referred to by other records; remove or change those first."
CONFLICT = "This conflicts with a record that already exists."


# --- Errors ---------------------------------------------------------------------------------------------


def as_drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A Django ValidationError as DRF's 400, keyed by field (``non_field_errors`` for the whole)."""
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(
            {("non_field_errors" if k == NON_FIELD_ERRORS else k): v for k, v in exc.message_dict.items()}
        )
    return serializers.ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context):
    """DRF's handler, plus the refusals that come from Django and the database."""
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_error(exc)
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response({"detail": IN_USE}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        field, message = _constraint_named_in(exc)
        if field is not None:
            return Response({field: [message]}, status=status.HTTP_400_BAD_REQUEST)
        log.info("integrity error answered 409: %s", exc)
        return Response({"detail": CONFLICT}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DataError):
        # Out of the column's range or a NUL byte: the input is wrong, whatever slipped past the fields.
        return Response(
            {"non_field_errors": ["A value is out of range or holds characters that cannot be stored."]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return None


def _constraint_named_in(exc: IntegrityError) -> tuple[str | None, str]:
    """For a CHECK violation: the field the constraint is about and its message (None for others)."""
    diag = getattr(getattr(exc, "__cause__", None), "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    if not name and "CHECK constraint failed:" in str(exc):  # SQLite names it in the message
        name = str(exc).rsplit(":", 1)[-1].strip()
    sqlstate = getattr(getattr(exc, "__cause__", None), "sqlstate", None)
    if not name or sqlstate not in (None, "23514"):  # 23514: check_violation
        return None, ""
    from django.apps import apps

    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name and isinstance(constraint, CheckConstraint):
                fields = constraint_fields(constraint)
                return (fields[-1] if fields else "non_field_errors"), str(
                    constraint.get_violation_error_message()
                )
    return None, ""


# --- Constraints, checked before the database -----------------------------------------------------------


def _q_fields(node) -> list[str]:
    names: list[str] = []
    if isinstance(node, Q):
        for child in node.children:
            names += _q_fields(child)
    elif isinstance(node, tuple):
        lookup, value = node
        names.append(lookup.split("__", 1)[0])
        names += _q_fields(value)
    elif isinstance(node, F):
        names.append(node.name.split("__", 1)[0])
    elif hasattr(node, "get_source_expressions"):
        for source in node.get_source_expressions():
            names += _q_fields(source)
    return names


def constraint_fields(constraint: BaseConstraint) -> list[str]:
    """The fields a constraint is about, in the order it names them (the last is the one to blame: in
    ``start <= end`` it is ``end``)."""
    if isinstance(constraint, UniqueConstraint):
        return list(constraint.fields)
    condition = getattr(constraint, "condition", None) or getattr(constraint, "check", None)
    names = _q_fields(condition) if condition is not None else []
    for expression, _op in getattr(constraint, "expressions", []):  # ExclusionConstraint
        names += _q_fields(F(expression) if isinstance(expression, str) else expression)
    return list(dict.fromkeys(names))


def constraint_errors(
    instance: models.Model,
    *,
    exclude: set[str],
    given: set[str] = frozenset(),
    skip: frozenset[str] = frozenset(),
) -> dict[str, list[str]]:
    """Every model constraint ``instance`` would break (but those named in ``skip``), keyed by the field
    to blame: one the request gave if the constraint names one, else the last it names."""
    errors: dict[str, list[str]] = {}
    model = type(instance)
    for constraint in model._meta.constraints:
        if constraint.name in skip:
            continue
        try:
            constraint.validate(model, instance, exclude=exclude, using=DEFAULT_DB_ALIAS)
        except DjangoValidationError as exc:
            fields = [f for f in constraint_fields(constraint) if f not in exclude]
            fields = [f for f in fields if f in given] or fields
            key = fields[-1] if fields else "non_field_errors"
            errors.setdefault(key, []).extend(exc.messages)
    return errors


class MirrorsConstraints:
    """For a ModelSerializer: the model's CHECK, unique and exclusion constraints are checked on the
    validated data, so a breach is a 400 naming the field rather than an IntegrityError.

    ``constraints_left_to_service`` names the constraints a service resolves rather than refuses (posting
    attendance again corrects the row, inviting again puts the person back on the list) or refuses with a
    clearer message of its own; each serializer says why. The database still holds them all."""

    constraints_left_to_service: frozenset[str] = frozenset()

    def run_validation(self, data=drf_fields.empty):
        attrs = super().run_validation(data)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        concrete = {f.name: f for f in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in concrete:
                setattr(instance, concrete[name].attname if value is None else name, value)
        # On create, a field the request did not give is the service's to fill: its rules are not judged.
        exclude = set() if self.instance is not None else {n for n in concrete if n not in attrs}
        errors = constraint_errors(
            instance, exclude=exclude, given=set(attrs), skip=self.constraints_left_to_service
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


# --- Fields that carry the input rules ------------------------------------------------------------------


class SingleLineCharField(serializers.CharField):
    """A model ``CharField`` (one line of text) as the API reads it: no control characters."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if single_line not in self.validators:
            self.validators.append(single_line)


class BoundedDateField(serializers.DateField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if date_in_range not in self.validators:
            self.validators.append(date_in_range)


class BoundedDateTimeField(serializers.DateTimeField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if date_in_range not in self.validators:
            self.validators.append(date_in_range)


def install_serializer_fields() -> None:
    """Every ModelSerializer maps the model's one-line text and date fields to the fields above."""
    mapping = serializers.ModelSerializer.serializer_field_mapping
    mapping[models.CharField] = SingleLineCharField
    mapping[models.DateField] = BoundedDateField
    mapping[models.DateTimeField] = BoundedDateTimeField


# --- Paging ---------------------------------------------------------------------------------------------


class BoundedLimitOffsetPagination(pagination.LimitOffsetPagination):
    """``?limit=`` at most 500; ``?offset=`` past any table's size is simply an empty page."""

    max_limit = 500
    max_offset = 2**31 - 1

    def get_offset(self, request) -> int:
        return min(super().get_offset(request), self.max_offset)


# --- Schema: the error answers --------------------------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "description": "``detail`` for the whole request, or one list of messages per field at fault.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string"},
            {"type": "object"},
        ]
    },
}
ERRORS = {
    "400": "Bad input: the message names the field.",
    "403": "Not logged in, or not allowed to do this.",
    "404": "No such object, or not one this user may see.",
    "409": "Refused by the record's state: still referred to, or a duplicate.",
    "429": "Too many requests: wait and try again.",
}


def postprocess_error_responses(result, generator, request, public):
    """Every operation documents the errors it can answer: 403 and 429 always, 400 when it reads
    parameters or a body, 404 for an object by id, 409 for a write."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["403", "429"]
            if operation.get("parameters") or operation.get("requestBody"):
                codes.append("400")
            if "{" in path:
                codes.append("404")
            if method in ("post", "put", "patch", "delete"):
                codes += ["400", "409"]
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("type") == "integer":
                    # Ids are positive; a path with "-1" matches no URL at all (Django's own 404 page).
                    schema.setdefault("minimum", 1)
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {"description": ERRORS[code], "content": {"application/json": {"schema": ref}}},
                )
    return result
