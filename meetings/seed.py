"""Seed the meeting series and the meetings on record (``portal.seed`` calls it after chairmanship)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from governance.seed import Seeder
from meetings.models import Meeting, MeetingSeries
from meetings.numbering import meeting_title


def seed_meetings(seeder: Seeder) -> None:
    series_by_name: dict[str, MeetingSeries] = {}
    for row in seeder.data.get("meeting_series", []):
        series_by_name[row["name"]] = seeder.ensure(
            MeetingSeries,
            {"name": row["name"]},
            {
                "body": seeder.body(row["body"]),
                "numbering": row["numbering"],
                "per_year": row["per_year"],
                "title_template": row["title_template"],
                **seeder.fact(row),
            },
            row["name"],
        )
    for row in seeder.data.get("meetings", []):
        series = series_by_name[row["series"]]
        lookup = {"series": series}
        if row.get("number"):
            lookup["number"] = row["number"]
        else:
            lookup["label"] = str(row["label"])
        if Meeting.objects.filter(**lookup).exists():
            seeder.report.unchanged += 1
            continue
        host = seeder.state(row["host"])
        tz = zoneinfo.ZoneInfo(row.get("timezone") or host.timezone)
        start = dt.datetime.combine(row["start"], dt.time(9, 0), tzinfo=tz)
        end = dt.datetime.combine(row["end"], dt.time(17, 0), tzinfo=tz)
        Meeting.objects.create(
            body=series.body,
            series=series,
            number=row.get("number"),
            label=str(row.get("label", "")),
            title=meeting_title(series, number=row.get("number"), label=str(row.get("label", ""))),
            start=start,
            end=end,
            timezone=tz.key,
            host=host,
            city=row.get("city", ""),
            status=row.get("status", Meeting.Status.HELD),
            date_precision=row.get("date_precision", "day"),
            source=row.get("source", ""),
        )
        seeder.report.created.append(f"meeting {series.name} {row.get('number') or row.get('label')}")
