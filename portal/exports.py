"""Lists as files: CSV (UTF-8 with a byte-order mark, so Excel reads ASEAN names right) or XLSX (openpyxl).
The rows are what the page shows the reader, already filtered by their rights; nothing is added here."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    # A cell that starts like a formula is written as text (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export_response(
    *, fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence], title: str = "List"
) -> HttpResponse:
    """``rows`` as a download in ``fmt`` ("csv" or "xlsx")."""
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook(write_only=False)
        ws = wb.active
        ws.title = title[:31]
        ws.append(list(headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([_cell(v) for v in row])
        ws.freeze_panes = "A2"
        buf = io.BytesIO()
        wb.save(buf)
        response = HttpResponse(buf.getvalue(), content_type=XLSX)
    else:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
        response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
