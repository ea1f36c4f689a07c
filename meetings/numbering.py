"""Ordinals and titles of meetings ("the 21st ACCMSME Meeting")."""

from __future__ import annotations


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def meeting_title(series, *, number: int | None = None, label: str = "") -> str:
    return series.title_template.format(ordinal=ordinal(number) if number else "", label=label).strip()
