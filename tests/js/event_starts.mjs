// Reads iCalendar files with ical.js (the parser of Thunderbird and many web calendars) and prints, as
// JSON, each VEVENT's UID, SUMMARY, SEQUENCE, ORGANIZER, ATTENDEEs, the METHOD, and its start and end in
// UTC resolved through the file's own VTIMEZONE components (registered per file, as a calendar client
// does with an invitation it receives).
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
    // A DECLINECOUNTER names the meeting without its time: no start to read.
    const zone = event.startDate && event.startDate.zone ? event.startDate.zone.tzid : null;
    // Every occurrence of a recurring event (a multi-day meeting's daily sessions), in UTC.
    const occurrences = [];
    if (event.isRecurring()) {
      const it = event.iterator();
      for (let next = it.next(); next && occurrences.length < 60; next = it.next()) {
        occurrences.push(event.getOccurrenceDetails(next).startDate.toJSDate().toISOString());
      }
    }
    const organizer = vevent.getFirstProperty("organizer");
    return {
      uid: event.uid,
      organizer: organizer ? organizer.getFirstValue() : null,
      attendees: vevent.getAllProperties("attendee").map((a) => a.getFirstValue()),
      summary: event.summary,
      sequence: event.sequence,
      status: vevent.getFirstPropertyValue("status"),
      zone,
      allDay: event.startDate ? event.startDate.isDate : null,
      occurrences,
      start: !event.startDate ? null
        : event.startDate.isDate ? event.startDate.toString() : event.startDate.toJSDate().toISOString(),
      end: !event.startDate ? null
        : event.endDate.isDate ? event.endDate.toString() : event.endDate.toJSDate().toISOString(),
    };
  });
  out.push({ path, method: root.getFirstPropertyValue("method"), events });
}
process.stdout.write(JSON.stringify(out));
