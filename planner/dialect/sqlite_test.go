package dialect

import (
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/tenancy/driver"
)

// The SQLite dialect is tested by running what it renders on SQLite
// through the driver it is paired with, so that the text a client would
// see is what is compared.

func liteDriver(t *testing.T) driver.Driver {
	t.Helper()
	file := filepath.Join(t.TempDir(), "d.db")
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rwc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE v (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO v VALUES (2), (NULL), (1), (3)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	d, err := driver.Open(driver.Config{Type: "sqlite", Database: file})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

func liteRows(t *testing.T, d driver.Driver, q string, args ...any) []string {
	t.Helper()
	var out []string
	err := d.Query(context.Background(), q, args, func(vals [][]byte) error {
		s := ""
		for i, v := range vals {
			if i > 0 {
				s += "|"
			}
			if v == nil {
				s += "<null>"
			} else {
				s += string(v)
			}
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

func TestSQLiteExpressions(t *testing.T) {
	d := liteDriver(t)
	s := SQLite
	ts := func(v string) string { return s.String(v) }
	wed := ts("2024-05-15 13:45:27")
	for _, tc := range []struct {
		name, expr, want string
	}{
		{"second", s.TimeTrunc("second", wed), "2024-05-15 13:45:27"},
		{"minute", s.TimeTrunc("minute", wed), "2024-05-15 13:45:00"},
		{"hour", s.TimeTrunc("hour", wed), "2024-05-15 13:00:00"},
		{"day", s.TimeTrunc("day", wed), "2024-05-15 00:00:00"},
		{"week from wednesday", s.TimeTrunc("week", wed), "2024-05-13 00:00:00"},
		{"week from sunday", s.TimeTrunc("week", ts("2024-05-19 23:59:59")), "2024-05-13 00:00:00"},
		{"week from monday", s.TimeTrunc("week", ts("2024-05-13 00:00:00")), "2024-05-13 00:00:00"},
		{"week across a year", s.TimeTrunc("week", ts("2025-01-01 08:00:00")), "2024-12-30 00:00:00"},
		{"month", s.TimeTrunc("month", wed), "2024-05-01 00:00:00"},
		{"quarter", s.TimeTrunc("quarter", wed), "2024-04-01 00:00:00"},
		{"quarter march", s.TimeTrunc("quarter", ts("2024-03-31 23:00:00")), "2024-01-01 00:00:00"},
		{"quarter december", s.TimeTrunc("quarter", ts("2024-12-01 00:00:00")), "2024-10-01 00:00:00"},
		{"quarter of null", s.TimeTrunc("quarter", "NULL"), "<null>"},
		{"year", s.TimeTrunc("year", wed), "2024-01-01 00:00:00"},
		{"timestamp of a date", s.Timestamp(ts("2024-05-15")), "2024-05-15 00:00:00"},
		{"text", s.Text("12"), "12"},
		{"plus day", s.AddInterval(ts("2024-02-28 10:00:00"), 2, "day"), "2024-03-01 10:00:00"},
		{"minus hour", s.AddInterval(wed, -14, "hour"), "2024-05-14 23:45:27"},
		{"plus week", s.AddInterval(wed, 1, "week"), "2024-05-22 13:45:27"},
		{"minus quarter", s.AddInterval(wed, -1, "quarter"), "2024-02-15 13:45:27"},
		{"plus year", s.AddInterval(wed, 1, "year"), "2025-05-15 13:45:27"},
		{"plus minute of a truncation", s.AddInterval(s.TimeTrunc("day", wed), 90, "minute"), "2024-05-15 01:30:00"},
		{"true", s.Bool("1 = 1"), "t"},
		{"false", s.Bool("1 = 0"), "f"},
		{"unknown", s.Bool("NULL = 1"), "<null>"},
		{"decimal division is not integer division", s.Decimal(s.Decimal("7", 30)+" / "+s.Decimal("2", 30), 10), "3.5"},
		{"decimal rounds to its scale", s.Decimal("2.0 / 3", 10), "0.6666666667"},
		{"decimal scale 2", s.Decimal("2.0 / 3", 2), "0.67"},
		// A REAL cannot hold 2.005: it rounds down where NUMERIC rounds up.
		{"decimal halfway is binary", s.Decimal("1.005 + 1", 2), "2"},
		{"ilike", s.ILike(ts("Hello"), ts("%ELL%"), false), "1"},
		{"not ilike", s.ILike(ts("Hello"), ts("%ELL%"), true), "0"},
		{"like is case-sensitive", s.Like(ts("Hello"), ts("h%"), false), "0"},
		{"like", s.Like(ts("Hello"), ts("H%"), false), "1"},
		{"not like", s.Like(ts("Hello"), ts("H%"), true), "0"},
		{"like escape", s.Like(ts("a_b"), ts(`a\_b`), false), "1"},
		{"like escape is literal", s.Like(ts("axb"), ts(`a\_b`), false), "0"},
		{"ilike escape", s.ILike(ts("50% OFF"), ts(`%0\% off`), false), "1"},
		{"compare is case-sensitive", s.StringCompare(ts("a"), "<", ts("B")), "0"},
		{"compare keeps trailing spaces", s.StringCompare(ts("a"), "=", ts("a ")), "0"},
		{"null-safe equal nulls", s.NullSafeEqual("NULL", "NULL"), "1"},
		{"null-safe equal null and value", s.NullSafeEqual("1", "NULL"), "0"},
		{"string", s.String(`it's a \ test`), `it's a \ test`},
	} {
		got := liteRows(t, d, "SELECT "+tc.expr)
		if diff := cmp.Diff([]string{tc.want}, got); diff != "" {
			t.Errorf("%s: %s (-want +got):\n%s", tc.name, tc.expr, diff)
		}
	}
}

func TestSQLiteQueries(t *testing.T) {
	d := liteDriver(t)
	s := SQLite
	x := s.Quote("v") + ".x"
	for _, tc := range []struct {
		name, sql string
		args      []any
		want      []string
	}{
		// PostgreSQL's NULL placement: last ascending, first descending.
		{"asc", "SELECT x FROM v ORDER BY " + s.OrderBy(x, false, false), nil, []string{"1", "2", "3", "<null>"}},
		{"desc", "SELECT x FROM v ORDER BY " + s.OrderBy(x, true, true), nil, []string{"<null>", "3", "2", "1"}},
		{"asc nulls first", "SELECT x FROM v ORDER BY " + s.OrderBy(x, false, true), nil, []string{"<null>", "1", "2", "3"}},
		{"desc nulls last", "SELECT x FROM v ORDER BY " + s.OrderBy(x, true, false), nil, []string{"3", "2", "1", "<null>"}},
		{"limit offset", "SELECT x FROM v ORDER BY x" + s.Limit("2", "1"), nil, []string{"1", "2"}},
		{"offset alone", "SELECT x FROM v ORDER BY x" + s.Limit("", "3"), nil, []string{"3"}},
		{"limit alone", "SELECT x FROM v ORDER BY x" + s.Limit("1", ""), nil, []string{"<null>"}},
		{"avg", "SELECT " + s.Avg("x") + " FROM v", nil, []string{"2"}},
		{"avg rounds", "SELECT " + s.Avg("x") + " FROM v WHERE x < 3 OR x = 3 AND 0", nil, []string{"1.5"}},
		{"avg of thirds", "SELECT " + s.Avg("x") + " FROM (SELECT 1 AS x UNION ALL SELECT 1 UNION ALL SELECT 2)", nil, []string{"1.3333333333"}},
		{"quoted alias", "SELECT " + s.Quote(`a"b`) + " FROM (SELECT 1 AS " + s.Quote(`a"b`) + ")", nil, []string{"1"}},
		{"placeholders by number", "SELECT " + s.Placeholder(2) + " || " + s.Placeholder(1), []any{"a", "b"}, []string{"ba"}},
		{"exact string groups by case", "SELECT " + s.ExactString("s") + " FROM (SELECT 'b' AS s UNION ALL SELECT 'B' UNION ALL SELECT 'a' UNION ALL SELECT 'b') GROUP BY " + s.ExactString("s") + " ORDER BY " + s.ExactString("s"), nil, []string{"B", "a", "b"}},
		{"time parameter", "SELECT " + s.TimeTrunc("month", s.Timestamp(s.Placeholder(1))), []any{time.Date(2024, 7, 4, 5, 6, 7, 0, time.UTC)}, []string{"2024-07-01 00:00:00"}},
	} {
		got := liteRows(t, d, tc.sql, tc.args...)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: %s (-want +got):\n%s", tc.name, tc.sql, diff)
		}
	}
}

func TestSQLiteNowAndToday(t *testing.T) {
	d := liteDriver(t)
	before := time.Now().UTC()
	got := liteRows(t, d, "SELECT "+SQLite.Now()+", "+SQLite.Timestamp(SQLite.Today()))
	after := time.Now().UTC()
	m := regexp.MustCompile(`^(\d{4}-\d\d-\d\d) \d\d:\d\d:\d\d\|(\d{4}-\d\d-\d\d) 00:00:00$`).FindStringSubmatch(got[0])
	if m == nil {
		t.Fatalf("Now, Today = %q: want timestamp texts", got[0])
	}
	for _, day := range m[1:] {
		if day != before.Format("2006-01-02") && day != after.Format("2006-01-02") {
			t.Errorf("day %s is not today (UTC) %s", day, before.Format("2006-01-02"))
		}
	}
	if dt, err := ForDBType("sqlite"); err != nil || dt != SQLite {
		t.Errorf("ForDBType(sqlite) = %v, %v", dt, err)
	}
}
