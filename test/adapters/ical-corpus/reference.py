"""The independent side of the differential test (test/adapters/ical-corpus.test.ts).

Reads {"timezone": IANA zone, "files": [{"path", "start", "end"}]} (start/end: UTC ISO instants)
on stdin and prints, per file, the busy intervals Debian's python3-icalendar and
python3-recurring-ical-events find in [start, end): {"path": {"busy": [[startMs, endMs], ...]}} or
{"path": {"error": "..."}}. Busy means: not TRANSP:TRANSPARENT and not STATUS:CANCELLED.
Floating times and all-day dates are local to the calendar's X-WR-TIMEZONE when it names a zone,
else to the site's zone, as in the hub.
Run with Debian's interpreter (/usr/bin/python3), where those packages are installed.
"""
import datetime
import json
import sys

import icalendar
import pytz
import recurring_ical_events

UTC = pytz.utc


def to_ms(value, zone, is_end=False):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = zone.localize(value)
        return int(value.astimezone(UTC).timestamp() * 1000)
    if isinstance(value, datetime.date):
        midnight = zone.localize(datetime.datetime(value.year, value.month, value.day))
        return int(midnight.astimezone(UTC).timestamp() * 1000)
    raise TypeError("not a date: %r" % (value,))


def usable(comp):
    """What both sides leave out before expanding (the hub reports these events as skipped):
    a VEVENT without DTSTART, or one that ends before it starts. Without this, Debian's
    recurring-ical-events 2.0.1 fails on the whole file for one such event."""
    if comp.name != "VEVENT":
        return True
    if "DTSTART" not in comp:
        return False
    try:
        if "DTEND" in comp and comp["DTEND"].dt < comp["DTSTART"].dt:
            return False
    except TypeError:
        pass
    return True


def busy_of(path, start, end, zone):
    with open(path, "rb") as f:
        text = f.read()
    calendars = icalendar.Calendar.from_ical(text, multiple=True)
    out = []
    for cal in calendars:
        cal.subcomponents = [c for c in cal.subcomponents if usable(c)]
        cal_zone = zone
        hint = str(cal.get("X-WR-TIMEZONE", "")).strip()
        if hint in pytz.all_timezones_set:
            cal_zone = pytz.timezone(hint)
        for ev in recurring_ical_events.of(cal).between(start, end):
            if ev.name != "VEVENT":
                continue
            if str(ev.get("TRANSP", "")).upper() == "TRANSPARENT":
                continue
            if str(ev.get("STATUS", "")).upper() == "CANCELLED":
                continue
            dtstart = ev.get("DTSTART")
            if dtstart is None:
                continue
            s = dtstart.dt
            if "DTEND" in ev:
                e = ev["DTEND"].dt
            elif "DURATION" in ev:
                e = s + ev["DURATION"].dt
            elif isinstance(s, datetime.datetime):
                e = s
            else:
                e = s + datetime.timedelta(days=1)
            a, b = to_ms(s, cal_zone), to_ms(e, cal_zone)
            if b > a:
                out.append([a, b])
    return out


def main():
    req = json.load(sys.stdin)
    zone = pytz.timezone(req["timezone"])
    result = {}
    for item in req["files"]:
        start = datetime.datetime.fromisoformat(item["start"].replace("Z", "+00:00"))
        end = datetime.datetime.fromisoformat(item["end"].replace("Z", "+00:00"))
        try:
            result[item["path"]] = {"busy": busy_of(item["path"], start, end, zone)}
        except Exception as e:  # one file's failure is that file's answer
            result[item["path"]] = {"error": "%s: %s" % (type(e).__name__, e)}
    json.dump(result, sys.stdout)


main()
