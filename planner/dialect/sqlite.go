package dialect

import (
	"strconv"
	"strings"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// SQLite renders for SQLite 3.30 or later (modernc.org/sqlite in
// tenancy/driver). It assumes what that driver guarantees and what the
// data must follow:
//
//   - Timestamps are stored as ISO text, 'YYYY-MM-DD HH:MM:SS'; time
//     functions return that text, so truncated times compare and sort
//     like the stored ones. Fractional seconds are dropped by Timestamp.
//   - Every connection runs with PRAGMA case_sensitive_like=1, so LIKE is
//     case-sensitive as in PostgreSQL and ILIKE lowers both sides (ASCII
//     only: SQLite's LOWER does not fold other letters).
//   - There is no DECIMAL: Decimal and Avg are REAL rounded to the scale,
//     and the driver prints REALs with 15 significant digits without
//     trailing zeros. So an average prints as 2.5 where PostgreSQL prints
//     2.5000000000, exact decimal sums beyond 15 digits lose precision,
//     and a decimal halfway case rounds as its binary value does (2.005
//     rounded to 2 places is 2, not 2.01).
//   - Adding months at the end of a month normalizes (Jan 31 + 1 month is
//     Mar 2 or 3) where PostgreSQL clamps to the month's last day.
var SQLite Dialect = sqlite{}

type sqlite struct{}

func (sqlite) Name() string { return "sqlite" }

func (sqlite) Quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// Placeholder numbers the markers: the planner may repeat a parameter,
// and ?NNN keeps the n-th argument bound to the n-th marker regardless.
func (sqlite) Placeholder(n int) string { return "?" + strconv.Itoa(n) }

// String needs no backslash escaping: SQLite literals have none.
func (sqlite) String(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func (sqlite) TimeTrunc(g, x string) string {
	switch g {
	case "second":
		return "strftime('%Y-%m-%d %H:%M:%S', " + x + ")"
	case "minute":
		return "strftime('%Y-%m-%d %H:%M:00', " + x + ")"
	case "hour":
		return "strftime('%Y-%m-%d %H:00:00', " + x + ")"
	case "day":
		return "strftime('%Y-%m-%d 00:00:00', " + x + ")"
	case "week":
		// 'weekday 0' moves forward to Sunday (or stays on one); six days
		// back is that ISO week's Monday.
		return "strftime('%Y-%m-%d 00:00:00', " + x + ", 'weekday 0', '-6 days')"
	case "month":
		return "strftime('%Y-%m-01 00:00:00', " + x + ")"
	case "quarter":
		return "(strftime('%Y-', " + x + ") || CASE (CAST(strftime('%m', " + x + ") AS INTEGER) + 2) / 3" +
			" WHEN 1 THEN '01' WHEN 2 THEN '04' WHEN 3 THEN '07' ELSE '10' END || '-01 00:00:00')"
	case "year":
		return "strftime('%Y-01-01 00:00:00', " + x + ")"
	}
	return datetime(x)
}

// FromUTC fails: SQLite has no time zone data.
func (sqlite) FromUTC(string, string) (string, error) {
	return "", pgerr.New(pgerr.FeatureNotSupported, "AT TIME ZONE is not supported on SQLite").
		WithHint("SQLite has no time zone data; query in UTC")
}

func datetime(x string) string { return "datetime(" + x + ")" }

func (sqlite) Timestamp(x string) string { return datetime(x) }
func (sqlite) Text(x string) string      { return "CAST(" + x + " AS TEXT)" }

// Bool prints t/f: SQLite booleans are the integers 1 and 0.
func (sqlite) Bool(x string) string {
	return "CASE WHEN " + x + " THEN 't' WHEN NOT (" + x + ") THEN 'f' END"
}

// Decimal is a REAL: it keeps division exact enough (no integer division)
// and rounding to the scale hides binary noise. Scales above 15 are
// beyond a double's precision, so they are not rounded.
func (sqlite) Decimal(x string, scale int) string {
	if scale >= 15 {
		return "CAST(" + x + " AS REAL)"
	}
	return "ROUND(CAST(" + x + " AS REAL), " + strconv.Itoa(scale) + ")"
}

func (s sqlite) Avg(x string) string { return "ROUND(AVG(" + x + "), 10)" }

// ILike lowers both sides because the driver makes LIKE case-sensitive.
// The escape character is PostgreSQL's default, which SQLite lacks.
func (sqlite) ILike(x, pattern string, not bool) string {
	op := " LIKE "
	if not {
		op = " NOT LIKE "
	}
	return "LOWER(" + x + ")" + op + "LOWER(" + pattern + `) ESCAPE '\'`
}

func (sqlite) Like(x, pattern string, not bool) string {
	op := " LIKE "
	if not {
		op = " NOT LIKE "
	}
	return x + op + pattern + ` ESCAPE '\'`
}

// StringCompare needs nothing: SQLite's default BINARY collation is
// case- and trailing-space-sensitive.
func (sqlite) StringCompare(x, op, y string) string { return x + " " + op + " " + y }

// ExactString needs nothing: BINARY is also how SQLite groups and orders.
func (sqlite) ExactString(x string) string { return x }

func (sqlite) NullSafeEqual(x, y string) string { return x + " IS " + y }

// OrderBy always states the NULL placement: SQLite sorts NULLs first
// ascending, PostgreSQL last.
func (sqlite) OrderBy(x string, desc, nullsFirst bool) string {
	s := x
	if desc {
		s += " DESC"
	}
	if nullsFirst {
		return s + " NULLS FIRST"
	}
	return s + " NULLS LAST"
}

// Limit needs a LIMIT before OFFSET; -1 is no limit.
func (sqlite) Limit(limit, offset string) string {
	s := ""
	if limit != "" {
		s += " LIMIT " + limit
	} else if offset != "" {
		s += " LIMIT -1"
	}
	if offset != "" {
		s += " OFFSET " + offset
	}
	return s
}

// Now and Today are UTC, the zone every Lattice backend session runs in.
func (sqlite) Now() string   { return "datetime('now')" }
func (sqlite) Today() string { return "date('now')" }

func (sqlite) AddInterval(x string, n int, unit string) string {
	switch unit {
	case "week":
		n, unit = n*7, "day"
	case "quarter":
		n, unit = n*3, "month"
	}
	mod := strconv.Itoa(n)
	if n >= 0 {
		mod = "+" + mod
	}
	return "datetime(" + x + ", '" + mod + " " + unit + "s')"
}
