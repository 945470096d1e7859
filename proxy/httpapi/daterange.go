package httpapi

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// cubeTime is Cube's local ISO format for times in queries and results.
const cubeTime = "2006-01-02T15:04:05.000"

var timeUnits = map[string]string{
	"second": "second", "seconds": "second", "minute": "minute", "minutes": "minute",
	"hour": "hour", "hours": "hour", "day": "day", "days": "day", "week": "week", "weeks": "week",
	"month": "month", "months": "month", "quarter": "quarter", "quarters": "quarter", "year": "year", "years": "year",
}

var (
	reThis    = regexp.MustCompile(`^(this|last|next)\s+(second|minute|hour|day|week|month|quarter|year)$`)
	reLastN   = regexp.MustCompile(`^(last|next)\s+(\d{1,6})\s+([a-z]+)$`)
	reFromTo  = regexp.MustCompile(`^from\s+(.+?)\s+to\s+(.+)$`)
	reAgo     = regexp.MustCompile(`^(\d{1,6})\s+([a-z]+)\s+(ago|from now)$`)
	dateOnly  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	absLayout = []string{
		"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02",
	}
)

// resolveDateRange turns a time dimension's dateRange into an inclusive
// [from, to] pair of local times in now's zone (the query's timezone), in
// cubeTime format, as Cube does: a date alone covers the whole day,
// relative strings are resolved against now's wall clock, and a time with
// an explicit offset is converted to that zone.
func resolveDateRange(d DateRange, now time.Time) ([2]string, error) {
	loc := now.Location()
	now = wallClock(now, loc)
	if d.Relative != "" {
		from, to, err := relativeRange(strings.ToLower(strings.TrimSpace(d.Relative)), now, loc)
		if err != nil {
			return [2]string{}, err
		}
		return [2]string{from.Format(cubeTime), to.Format(cubeTime)}, nil
	}
	switch len(d.Pair) {
	case 1, 2:
	default:
		return [2]string{}, badQuery("invalid query format: dateRange must have one or two dates, got %d", len(d.Pair))
	}
	fromS, toS := d.Pair[0], d.Pair[len(d.Pair)-1]
	from, err := absoluteTimeIn(fromS, false, loc)
	if err != nil {
		return [2]string{}, err
	}
	to, err := absoluteTimeIn(toS, true, loc)
	if err != nil {
		return [2]string{}, err
	}
	return [2]string{from.Format(cubeTime), to.Format(cubeTime)}, nil
}

// absoluteTime parses a date or timestamp; a bare date is the start of the
// day, or its last millisecond when end is set.
func absoluteTime(s string, end bool) (time.Time, error) {
	return absoluteTimeIn(s, end, time.UTC)
}

// absoluteTimeIn is absoluteTime for a query in zone loc: a time without
// offset is already local; one with an offset is an instant, converted
// to loc's wall clock. The result is labelled UTC but holds local fields.
func absoluteTimeIn(s string, end bool, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range absLayout {
		t, err := time.Parse(l, s)
		if err != nil {
			continue
		}
		if strings.HasSuffix(l, "Z07:00") {
			t = wallClock(t, loc)
		}
		if end && dateOnly.MatchString(s) {
			t = t.Add(24*time.Hour - time.Millisecond)
		}
		return t.Truncate(time.Millisecond), nil
	}
	return time.Time{}, badQuery("can't parse date: %q", s)
}

// wallClock is the wall clock of instant t in loc, labelled UTC: the
// backends compare and truncate local times as zone-less timestamps.
func wallClock(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

func relativeRange(s string, now time.Time, loc *time.Location) (time.Time, time.Time, error) {
	switch s {
	case "today":
		return startOf(now, "day"), endOf(now, "day"), nil
	case "yesterday":
		y := now.AddDate(0, 0, -1)
		return startOf(y, "day"), endOf(y, "day"), nil
	case "tomorrow":
		t := now.AddDate(0, 0, 1)
		return startOf(t, "day"), endOf(t, "day"), nil
	}
	if m := reThis.FindStringSubmatch(s); m != nil {
		unit := m[2]
		t := now
		switch m[1] {
		case "last":
			t = add(now, -1, unit)
		case "next":
			t = add(now, 1, unit)
		}
		return startOf(t, unit), endOf(t, unit), nil
	}
	if m := reLastN.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		unit, ok := timeUnits[m[3]]
		if !ok || n < 1 {
			return time.Time{}, time.Time{}, badQuery("can't parse date range: %q", s)
		}
		if m[1] == "last" {
			return startOf(add(now, -n, unit), unit), endOf(add(now, -1, unit), unit), nil
		}
		return startOf(add(now, 1, unit), unit), endOf(add(now, n, unit), unit), nil
	}
	if m := reFromTo.FindStringSubmatch(s); m != nil {
		from, err := pointInTime(strings.TrimSpace(m[1]), now, false, loc)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		to, err := pointInTime(strings.TrimSpace(m[2]), now, true, loc)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		return from, to, nil
	}
	// A single date written as a string: that day.
	if dateOnly.MatchString(s) {
		from, err := absoluteTime(s, false)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		to, _ := absoluteTime(s, true)
		return from, to, nil
	}
	return time.Time{}, time.Time{}, badQuery("can't parse date range: %q (use a [from, to] pair, today, yesterday, this/last/next <unit>, last N <units> or from <date> to <date>)", s)
}

// pointInTime reads one side of "from X to Y": a date or timestamp, now,
// today, yesterday, tomorrow, or "N units ago" / "N units from now". A day
// is widened to its start (from) or end (to), as Cube does.
func pointInTime(s string, now time.Time, end bool, loc *time.Location) (time.Time, error) {
	edge := func(t time.Time, unit string) time.Time {
		if end {
			return endOf(t, unit)
		}
		return startOf(t, unit)
	}
	switch s {
	case "now":
		return now.Truncate(time.Millisecond), nil
	case "today":
		return edge(now, "day"), nil
	case "yesterday":
		return edge(now.AddDate(0, 0, -1), "day"), nil
	case "tomorrow":
		return edge(now.AddDate(0, 0, 1), "day"), nil
	}
	if m := reAgo.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit, ok := timeUnits[m[2]]
		if !ok {
			return time.Time{}, badQuery("can't parse date: %q", s)
		}
		if m[3] == "ago" {
			n = -n
		}
		g := "day"
		if unit == "second" || unit == "minute" || unit == "hour" {
			g = unit
		}
		return edge(add(now, n, unit), g), nil
	}
	return absoluteTimeIn(s, end, loc)
}

func add(t time.Time, n int, unit string) time.Time {
	switch unit {
	case "second":
		return t.Add(time.Duration(n) * time.Second)
	case "minute":
		return t.Add(time.Duration(n) * time.Minute)
	case "hour":
		return t.Add(time.Duration(n) * time.Hour)
	case "day":
		return t.AddDate(0, 0, n)
	case "week":
		return t.AddDate(0, 0, 7*n)
	case "month":
		return addMonths(t, n)
	case "quarter":
		return addMonths(t, 3*n)
	case "year":
		return addMonths(t, 12*n)
	}
	return t
}

// addMonths moves by calendar months, clamping the day as moment.js does
// (Mar 31 - 1 month = Feb 29), where time.AddDate would normalize into
// the next month.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// startOf truncates t to unit; weeks start on Monday (ISO).
func startOf(t time.Time, unit string) time.Time {
	y, mo, d := t.Date()
	switch unit {
	case "second":
		return t.Truncate(time.Second)
	case "minute":
		return t.Truncate(time.Minute)
	case "hour":
		return t.Truncate(time.Hour)
	case "day":
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	case "week":
		wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
		return time.Date(y, mo, d-wd, 0, 0, 0, 0, time.UTC)
	case "month":
		return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	case "quarter":
		return time.Date(y, (mo-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	case "year":
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t
}

// endOf is the last millisecond of t's unit.
func endOf(t time.Time, unit string) time.Time {
	return add(startOf(t, unit), 1, unit).Add(-time.Millisecond)
}
