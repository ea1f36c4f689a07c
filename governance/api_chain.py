"""The reporting chain as the API gives it: ``GET /api/v1/bodies/<acronym>/reporting-chain/?on=YYYY-MM-DD``,
the body and every body above it by "reports to" lines valid on that day (today in Jakarta without it)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from governance.api_support import as_drf_error
from governance.dates import on_date_param
from governance.models import Body
from governance.permissions import today_in_asean
from governance.selectors import reporting_chain_on


@extend_schema(
    parameters=[
        OpenApiParameter("on", OpenApiTypes.DATE, description="The day; today in Jakarta without it")
    ],
    responses=inline_serializer(
        "ReportingChain",
        {
            "body": serializers.CharField(),
            "on": serializers.DateField(),
            "chain": serializers.ListField(child=serializers.CharField()),
        },
    ),
)
@api_view(["GET"])
def reporting_chain_view(request, acronym: str):
    body = get_object_or_404(Body, acronym=acronym)
    try:
        on = on_date_param(request.query_params.get("on"), default=today_in_asean())
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc
    chain = reporting_chain_on(body=body, on=on)
    return Response({"body": body.acronym, "on": on.isoformat(), "chain": [b.acronym for b in chain]})


chain_urls = [path("bodies/<str:acronym>/reporting-chain/", reporting_chain_view, name="reporting-chain")]
