"""The meeting list's pages: keyset (cursor) on (start, id), so the first page is read from the index
without sorting the table, and a count capped where an exact one would scan it (docs/decisions/0056)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from governance.api_support import BoundedLimitOffsetPagination

COUNT_CAP = 1000  # above this many, ``count`` is null: follow ``next``


def _capped(found: int) -> int | None:
    """A count of at most ``COUNT_CAP + 1`` rows as the list gives it: null past the cap."""
    return found if found <= COUNT_CAP else None


class MeetingCursorPagination(CursorPagination):
    """``?limit=`` (at most 500) rows after ``?cursor=``, in start order. ``count`` is exact up to
    ``COUNT_CAP`` and null beyond it. A client that sends ``?offset=`` still gets limit/offset pages with an
    exact count, as before: it asked for a position, which only a scan can find."""

    ordering = ("start", "id")
    page_size = settings.REST_FRAMEWORK.get("PAGE_SIZE", 100)
    page_size_query_param = "limit"
    max_page_size = BoundedLimitOffsetPagination.max_limit

    def paginate_queryset(self, queryset, request, view=None):
        self.by_offset = BoundedLimitOffsetPagination() if "offset" in request.query_params else None
        if self.by_offset is not None:
            return self.by_offset.paginate_queryset(queryset, request, view)
        # Bounded: PostgreSQL stops after COUNT_CAP + 1 rows, whatever the table's size.
        self.count = _capped(queryset.order_by().values("pk")[: COUNT_CAP + 1].count())
        return super().paginate_queryset(queryset, request, view)

    @staticmethod
    def is_first_page(request) -> bool:
        """No cursor, offset or filter: the first page of all the user may see (most requests)."""
        return request.query_params.keys() <= {"limit"}

    def paginate_first(self, request, first: Callable[..., tuple[list, int]]) -> list:
        """``paginate_queryset``'s first page (no cursor), from ``first(rows=, count_up_to=)``: the page's
        rows and one more, and the count capped as ``paginate_queryset`` caps it."""
        self.by_offset = None
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.cursor = None
        rows, found = first(rows=self.page_size + 1, count_up_to=COUNT_CAP + 1)
        self.count = _capped(found)
        self.page = rows[: self.page_size]
        self.has_previous = False
        self.has_next = len(rows) > len(self.page)
        if self.has_next:
            self.next_position = self._get_position_from_instance(rows[-1], self.ordering)
        self.display_page_controls = self.has_next and self.template is not None
        return self.page

    def decode_cursor(self, request):
        # DRF answers a cursor it cannot read with 404; it is a bad parameter, so 400 naming it.
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
        if cursor is None and "cursor" not in request.query_params:
            return None
        if cursor is None or (cursor.position is not None and parse_datetime(cursor.position) is None):
            raise ValidationError(
                {"cursor": ["Not a cursor this list gave out: follow `next` or `previous`."]}
            )
        return cursor

    def get_paginated_response(self, data):
        if self.by_offset is not None:
            return self.by_offset.get_paginated_response(data)
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        shape = super().get_paginated_response_schema(schema)
        shape["required"] = ["count", "results"]
        shape["properties"] = {
            "count": {
                "type": "integer",
                "nullable": True,
                "description": f"Exact up to {COUNT_CAP}; null when there are more (follow `next`).",
            },
            **shape["properties"],
        }
        return shape

    def get_schema_operation_parameters(self, view):
        offset = BoundedLimitOffsetPagination().get_schema_operation_parameters(view)
        cursor = [p for p in super().get_schema_operation_parameters(view) if p["name"] != "limit"]
        return cursor + offset
