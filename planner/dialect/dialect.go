// Package dialect renders the planner's backend SQL for each kind of
// database: quoting, placeholders, time truncation, case-insensitive
// matching, NULL ordering, casts.
//
// Every method returns text that makes the two backends print the same
// result text for the same data: counts as integers, averages and number
// measures as DECIMAL(65,10), time as a timestamp without zone, booleans as
// PostgreSQL's t/f.
package dialect

import (
	"strconv"
	"strings"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// A Dialect is one backend SQL flavour.
type Dialect interface {
	// Name is "postgres" or "mysql" (or "mongobi", MySQL restricted to what
	// the MongoDB BI Connector accepts).
	Name() string
	// Quote returns name as a quoted identifier.
	Quote(name string) string
	// Placeholder returns the n-th (1-based) backend parameter marker.
	Placeholder(n int) string
	// String returns s as a string literal.
	String(s string) string
	// TimeTrunc truncates the timestamp expression x to granularity g
	// (second ... year; weeks start on Monday); the result is a timestamp.
	TimeTrunc(g, x string) string
	// Timestamp casts x to a timestamp without time zone.
	Timestamp(x string) string
	// Text casts x to a character string.
	Text(x string) string
	// Bool renders the boolean expression x as a result column (t/f text).
	Bool(x string) string
	// Decimal casts x to the exact decimal type used for averages and
	// number measures, DECIMAL(65,scale).
	Decimal(x string, scale int) string
	// Avg is the average of x as DECIMAL(65,10), rounded the same way on
	// every backend.
	Avg(x string) string
	// ILike is x ILIKE pattern (not: NOT ILIKE).
	ILike(x, pattern string, not bool) string
	// Like is a case-sensitive x LIKE pattern (not: NOT LIKE).
	Like(x, pattern string, not bool) string
	// StringCompare compares string expressions with op case- and
	// trailing-space-sensitively, as PostgreSQL does.
	StringCompare(x, op, y string) string
	// ExactString renders the string expression x as a result value that
	// is selected, grouped, DISTINCTed and ordered by its exact characters
	// (case-sensitively, in code point order), as PostgreSQL does under
	// the C collation.
	ExactString(x string) string
	// NullSafeEqual is x IS NOT DISTINCT FROM y.
	NullSafeEqual(x, y string) string
	// OrderBy renders one ORDER BY item with PostgreSQL's NULL placement
	// (nullsFirst defaults to desc when the client did not say).
	OrderBy(x string, desc, nullsFirst bool) string
	// Limit renders LIMIT/OFFSET; either may be empty.
	Limit(limit, offset string) string
	// Now is the current local timestamp, Today the current date.
	Now() string
	Today() string
	// AddInterval adds n units (second ... year) to the timestamp x.
	AddInterval(x string, n int, unit string) string
	// FromUTC converts x, a timestamp without zone holding UTC, to the
	// local time (still without zone) in the IANA zone, which the caller
	// has validated. A backend without zone data returns a 0A000 error.
	FromUTC(x, zone string) (string, error)
}

// ForDBType returns the dialect for a dbType hook value: postgres; mysql,
// mariadb and mongobi (the MySQL protocol); sqlite.
func ForDBType(dbType string) (Dialect, error) {
	switch dbType {
	case "postgres", "postgresql":
		return Postgres, nil
	case "mysql", "mariadb":
		return MySQL, nil
	case "mongobi":
		return MongoBI, nil
	case "sqlite":
		return SQLite, nil
	}
	return nil, pgerr.New(pgerr.InvalidAuthorization, "unknown db_type %q", dbType)
}

// The dialects.
var (
	Postgres Dialect = postgres{}
	MySQL    Dialect = mysql{name: "mysql"}
	// MongoBI is MySQL without window functions and CTEs; the planner
	// emits neither, so only the name differs.
	MongoBI Dialect = mysql{name: "mongobi"}
)

type postgres struct{}

func (postgres) Name() string { return "postgres" }

func (postgres) Quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func (postgres) Placeholder(n int) string { return "$" + strconv.Itoa(n) }

func (postgres) String(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func (p postgres) TimeTrunc(g, x string) string {
	return "CAST(DATE_TRUNC('" + g + "', " + x + ") AS TIMESTAMP)"
}

func (postgres) Timestamp(x string) string { return "CAST(" + x + " AS TIMESTAMP)" }
func (postgres) Text(x string) string      { return "CAST(" + x + " AS TEXT)" }
func (postgres) Bool(x string) string      { return x }

func (postgres) Decimal(x string, scale int) string {
	return "CAST(" + x + " AS NUMERIC(65," + strconv.Itoa(scale) + "))"
}

func (p postgres) Avg(x string) string { return p.Decimal("AVG("+x+")", 10) }

func (postgres) ILike(x, pattern string, not bool) string {
	if not {
		return x + " NOT ILIKE " + pattern
	}
	return x + " ILIKE " + pattern
}

func (postgres) Like(x, pattern string, not bool) string {
	if not {
		return x + " NOT LIKE " + pattern
	}
	return x + " LIKE " + pattern
}

func (postgres) StringCompare(x, op, y string) string { return x + " " + op + " " + y }

// ExactString keeps x: PostgreSQL's deterministic collations already
// tell 'Completed' from 'completed' (ordering follows the database's).
func (postgres) ExactString(x string) string { return x }

func (postgres) NullSafeEqual(x, y string) string { return x + " IS NOT DISTINCT FROM " + y }

func (postgres) OrderBy(x string, desc, nullsFirst bool) string {
	s := x
	if desc {
		s += " DESC"
	}
	if nullsFirst != desc {
		if nullsFirst {
			s += " NULLS FIRST"
		} else {
			s += " NULLS LAST"
		}
	}
	return s
}

func (postgres) Limit(limit, offset string) string {
	s := ""
	if limit != "" {
		s += " LIMIT " + limit
	}
	if offset != "" {
		s += " OFFSET " + offset
	}
	return s
}

func (postgres) Now() string   { return "LOCALTIMESTAMP" }
func (postgres) Today() string { return "CURRENT_DATE" }

func (postgres) AddInterval(x string, n int, unit string) string {
	if unit == "quarter" {
		n, unit = n*3, "month"
	}
	return "(" + x + " + INTERVAL '" + strconv.Itoa(n) + " " + unit + "')"
}

// FromUTC reads x as UTC, then takes the wall clock in zone.
func (p postgres) FromUTC(x, zone string) (string, error) {
	return "((" + x + ") AT TIME ZONE 'UTC') AT TIME ZONE " + p.String(zone), nil
}

type mysql struct{ name string }

func (m mysql) Name() string { return m.name }

func (mysql) Quote(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

func (mysql) Placeholder(int) string { return "?" }

// String escapes backslashes too: MySQL treats them as escapes by default.
func (mysql) String(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func (m mysql) TimeTrunc(g, x string) string {
	var s string
	switch g {
	case "second":
		s = "DATE_FORMAT(" + x + ", '%Y-%m-%d %H:%i:%s')"
	case "minute":
		s = "DATE_FORMAT(" + x + ", '%Y-%m-%d %H:%i:00')"
	case "hour":
		s = "DATE_FORMAT(" + x + ", '%Y-%m-%d %H:00:00')"
	case "day":
		s = "DATE(" + x + ")"
	case "week":
		s = "DATE(" + x + ") - INTERVAL WEEKDAY(" + x + ") DAY"
	case "month":
		s = "DATE_FORMAT(" + x + ", '%Y-%m-01')"
	case "quarter":
		s = "MAKEDATE(YEAR(" + x + "), 1) + INTERVAL (QUARTER(" + x + ") - 1) QUARTER"
	case "year":
		s = "DATE_FORMAT(" + x + ", '%Y-01-01')"
	default:
		s = x
	}
	return m.Timestamp(s)
}

func (mysql) Timestamp(x string) string { return "CAST(" + x + " AS DATETIME)" }
func (mysql) Text(x string) string      { return "CAST(" + x + " AS CHAR)" }

// Bool prints t/f like PostgreSQL: MySQL booleans are the integers 1 and 0.
func (mysql) Bool(x string) string {
	return "CASE WHEN " + x + " THEN 't' WHEN NOT (" + x + ") THEN 'f' END"
}

func (mysql) Decimal(x string, scale int) string {
	return "CAST(" + x + " AS DECIMAL(65," + strconv.Itoa(scale) + "))"
}

// Avg divides a 10-digit decimal sum: MySQL's AVG keeps only 4 more digits
// than its input (div_precision_increment), PostgreSQL at least 16.
func (m mysql) Avg(x string) string {
	return m.Decimal("SUM("+m.Decimal(x, 10)+") / COUNT("+x+")", 10)
}

func (mysql) ILike(x, pattern string, not bool) string {
	op := " LIKE "
	if not {
		op = " NOT LIKE "
	}
	return "LOWER(" + x + ")" + op + "LOWER(" + pattern + ")"
}

// Like compares bytes: MySQL's default collations ignore case.
func (mysql) Like(x, pattern string, not bool) string {
	op := " LIKE BINARY "
	if not {
		op = " NOT LIKE BINARY "
	}
	return x + op + pattern
}

func (mysql) StringCompare(x, op, y string) string {
	return "BINARY " + x + " " + op + " " + y
}

// ExactString uses a binary collation: the default ones ignore case, so
// GROUP BY and DISTINCT would fold 'Completed' into 'completed'. CONVERT
// first, because COLLATE must name a collation of x's character set.
// utf8mb4_bin still pads: 'a' and 'a ' group together.
func (mysql) ExactString(x string) string {
	return "CONVERT(" + x + " USING utf8mb4) COLLATE utf8mb4_bin"
}

func (mysql) NullSafeEqual(x, y string) string { return x + " <=> " + y }

// OrderBy always states the NULL placement: MySQL sorts NULLs first
// ascending, PostgreSQL last.
func (mysql) OrderBy(x string, desc, nullsFirst bool) string {
	s := x + " IS NULL"
	if nullsFirst {
		s += " DESC"
	}
	s += ", " + x
	if desc {
		s += " DESC"
	}
	return s
}

// Limit needs a LIMIT before OFFSET in MySQL.
func (mysql) Limit(limit, offset string) string {
	s := ""
	if limit != "" {
		s += " LIMIT " + limit
	} else if offset != "" {
		s += " LIMIT 18446744073709551615"
	}
	if offset != "" {
		s += " OFFSET " + offset
	}
	return s
}

func (mysql) Now() string   { return "NOW()" }
func (mysql) Today() string { return "CURDATE()" }

func (m mysql) AddInterval(x string, n int, unit string) string {
	return m.Timestamp(x + " + INTERVAL " + strconv.Itoa(n) + " " + strings.ToUpper(unit))
}

// FromUTC needs the server's time zone tables (mysql_tzinfo_to_sql);
// without them CONVERT_TZ returns NULL. Like the TIMESTAMP type, it
// leaves values outside 1970-2038 unconverted.
func (m mysql) FromUTC(x, zone string) (string, error) {
	return "CONVERT_TZ(" + x + ", '+00:00', " + m.String(zone) + ")", nil
}
