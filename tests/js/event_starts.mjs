// Reads iCalendar files with ical.js (the parser of Thunderbird and many web calendars) and prints, as
// JSON, each VEVENT's UID, SUMMARY, METHOD and its start and end in UTC, resolved through the file's own
// VTIMEZONE components (registered per file, as a calendar client does with an invitation it receives).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const out = [];
for (const path of process.argv.slice(2)) {
  ICAL.TimezoneService.reset();
  const root = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  }
  const events = root.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    const zone = event.startDate.zone ? event.startDate.zone.tzid : null;
    // Every occurrence of a recurring event (a multi-day meeting's daily sessions), in UTC.
    const occurrences = [];
    if (event.isRecurring()) {
      const it = event.iterator();
      for (let next = it.next(); next && occurrences.length < 60; next = it.next()) {
        occurrences.push(event.getOccurrenceDetails(next).startDate.toJSDate().toISOString());
      }
    }
    return {
      uid: event.uid,
      summary: event.summary,
      sequence: event.sequence,
      status: vevent.getFirstPropertyValue("status"),
      zone,
      allDay: event.startDate.isDate,
      occurrences,
      start: event.startDate.isDate ? event.startDate.toString() : event.startDate.toJSDate().toISOString(),
      end: event.endDate.isDate ? event.endDate.toString() : event.endDate.toJSDate().toISOString(),
    };
  });
  out.push({ path, method: root.getFirstPropertyValue("method"), events });
}
process.stdout.write(JSON.stringify(out));
