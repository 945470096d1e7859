package planner

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

// diffOrder is one order of diffData as Go values.
type diffOrder struct {
	id      string
	amount  string // "NULL" or a decimal
	created *time.Time
}

func (d *diffTables) goOrders(t *testing.T) []diffOrder {
	t.Helper()
	var out []diffOrder
	for _, r := range d.orders {
		o := diffOrder{id: r[0], amount: r[3]}
		if r[4] != "NULL" {
			ts, err := time.Parse(time.DateTime, strings.Trim(r[4], "'"))
			if err != nil {
				t.Fatal(err)
			}
			o.created = &ts
		}
		out = append(out, o)
	}
	return out
}

// tzCase is a golden AT TIME ZONE query and its rows computed in Go from
// the dataset with time.LoadLocation, independently of any backend.
type tzCase struct {
	sql    string
	params []string
	want   func(orders []diffOrder) [][]string
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// wall is the local wall clock of an instant as a UTC-labelled time, so
// that truncation and comparison work on local fields.
func wall(ts time.Time, loc *time.Location) time.Time {
	l := ts.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

// groupCount groups the orders passing keep by key, counting them and
// summing amounts when sum is set; NULL keys sort last, as ORDER BY 1.
func groupCount(orders []diffOrder, keep func(o diffOrder) bool, key func(o diffOrder) string, sum bool) [][]string {
	counts := map[string]int{}
	sums := map[string]*big.Rat{}
	for _, o := range orders {
		if !keep(o) {
			continue
		}
		k := key(o)
		counts[k]++
		if o.amount != "NULL" {
			x, _ := new(big.Rat).SetString(o.amount)
			if sums[k] == nil {
				sums[k] = new(big.Rat)
			}
			sums[k].Add(sums[k], x)
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "NULL":
			return 1
		case b == "NULL":
			return -1
		}
		return strings.Compare(a, b)
	})
	rows := [][]string{}
	for _, k := range keys {
		row := []string{k, fmt.Sprint(counts[k])}
		if sum {
			s := "NULL"
			if sums[k] != nil {
				s = sums[k].FloatString(2)
			}
			row = append(row, s)
		}
		rows = append(rows, row)
	}
	return rows
}

func timeZoneCases(t *testing.T) []tzCase {
	ny, kol := mustZone(t, "America/New_York"), mustZone(t, "Asia/Kolkata")
	all := func(diffOrder) bool { return true }
	utcBefore := func(limit string) func(o diffOrder) bool {
		lim, _ := time.Parse(time.DateOnly, limit)
		return func(o diffOrder) bool { return o.created != nil && o.created.Before(lim) }
	}
	keyOf := func(loc *time.Location, trunc func(time.Time) time.Time, layout string) func(o diffOrder) string {
		return func(o diffOrder) string {
			if o.created == nil {
				return "NULL"
			}
			return trunc(wall(*o.created, loc)).Format(layout)
		}
	}
	hour := func(t time.Time) time.Time { return t.Truncate(time.Hour) }
	monday := func(t time.Time) time.Time {
		d := day(t)
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	}
	localBetween := func(loc *time.Location, lo, hi time.Time) func(o diffOrder) bool {
		return func(o diffOrder) bool {
			if o.created == nil {
				return false
			}
			w := wall(*o.created, loc)
			return !w.Before(lo) && !w.After(hi)
		}
	}
	jan2024 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return []tzCase{
		{
			sql:  `SELECT DATE_TRUNC('day', created_at AT TIME ZONE 'America/New_York') AS day, MEASURE(count) FROM orders GROUP BY 1 ORDER BY 1`,
			want: func(os []diffOrder) [][]string { return groupCount(os, all, keyOf(ny, day, time.DateTime), false) },
		},
		{
			sql: `SELECT DATE_TRUNC('hour', created_at AT TIME ZONE 'Asia/Kolkata') AS h, MEASURE(count) FROM orders WHERE created_at < '2021-03-01' GROUP BY 1 ORDER BY 1`,
			want: func(os []diffOrder) [][]string {
				return groupCount(os, utcBefore("2021-03-01"), keyOf(kol, hour, time.DateTime), false)
			},
		},
		{
			sql: `SELECT DATE_TRUNC('day', created_at AT TIME ZONE 'Asia/Kolkata') AS day, MEASURE(count), MEASURE(total_amount) FROM orders WHERE created_at AT TIME ZONE 'Asia/Kolkata' >= '2024-01-01' AND created_at AT TIME ZONE 'Asia/Kolkata' <= '2024-01-31 23:59:59.999' GROUP BY 1 ORDER BY 1`,
			want: func(os []diffOrder) [][]string {
				return groupCount(os, localBetween(kol, jan2024, jan2024.AddDate(0, 1, 0).Add(-time.Millisecond)), keyOf(kol, day, time.DateTime), true)
			},
		},
		{
			sql:    `SELECT DATE_TRUNC('week', created_at AT TIME ZONE 'America/New_York') AS week, MEASURE(count) FROM orders WHERE created_at AT TIME ZONE 'America/New_York' BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 1`,
			params: []string{"2022-12-01", "2023-02-01"},
			want: func(os []diffOrder) [][]string {
				lo, hi := time.Date(2022, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC)
				return groupCount(os, localBetween(ny, lo, hi), keyOf(ny, monday, time.DateTime), false)
			},
		},
		{
			sql: `SELECT id, created_at AT TIME ZONE 'Asia/Kolkata' AS local FROM orders WHERE created_at < '2021-02-01' ORDER BY id`,
			want: func(os []diffOrder) [][]string {
				keep := utcBefore("2021-02-01")
				rows := [][]string{}
				for _, o := range os { // diffData numbers orders in order
					if keep(o) {
						rows = append(rows, []string{o.id, wall(*o.created, kol).Format(time.DateTime)})
					}
				}
				return rows
			},
		},
		{
			sql: `SELECT CAST(created_at AT TIME ZONE 'America/New_York' AS DATE) AS d, MEASURE(count) FROM orders WHERE created_at >= '2023-01-01' AND created_at < '2023-02-01' GROUP BY 1 ORDER BY 1`,
			want: func(os []diffOrder) [][]string {
				lo := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
				keep := func(o diffOrder) bool { return o.created != nil && !o.created.Before(lo) && utcBefore("2023-02-01")(o) }
				return groupCount(os, keep, keyOf(ny, day, time.DateOnly), false)
			},
		},
	}
}

// checkTimeZones runs the golden AT TIME ZONE queries on both backends
// and compares them with rows computed in Go: buckets by local day, week
// and hour in a zone with daylight saving time (New York) and one with a
// half-hour offset (Kolkata). It returns the queries it checked.
func checkTimeZones(t *testing.T, ctx context.Context, pg *pgx.Conn, my *sql.DB, data *diffTables) []string {
	m := fixtureModel(t)
	orders := data.goOrders(t)
	var done []string
	for _, c := range timeZoneCases(t) {
		want := c.want(orders)
		if len(want) < 3 {
			t.Errorf("%s: the Go reference has %d rows: the case tests too little", c.sql, len(want))
		}
		for _, d := range []dialect.Dialect{dialect.Postgres, dialect.MySQL} {
			sts, err := Plan(m, d, c.sql, nil)
			if err != nil {
				t.Errorf("%s: %s: %v", c.sql, d.Name(), err)
				continue
			}
			st := sts[0]
			var got [][]string
			if d == dialect.Postgres {
				got, err = queryPostgres(ctx, pg, st, c.params)
			} else {
				got, err = queryMariaDB(ctx, my, st, c.params)
			}
			if err != nil {
				t.Errorf("%s: %s: %v\n%s", c.sql, d.Name(), err, st.SQL)
				continue
			}
			w := make([][]string, len(want))
			for i := range want {
				w[i] = slices.Clone(want[i])
			}
			if msg := compareResults(st.Columns, w, got, true); msg != "" {
				t.Errorf("%s: %s: %s\n%s", c.sql, d.Name(), msg, st.SQL)
			}
		}
		done = append(done, c.sql)
	}
	return done
}

// TestTimeZoneReference pins the Go reference itself on instants whose
// local day differs from the UTC day.
func TestTimeZoneReference(t *testing.T) {
	ny, kol := mustZone(t, "America/New_York"), mustZone(t, "Asia/Kolkata")
	for _, c := range []struct {
		utc  string
		loc  *time.Location
		want string
	}{
		{"2024-01-01 03:00:00", ny, "2023-12-31 22:00:00"},  // EST, UTC-5
		{"2024-07-01 03:00:00", ny, "2024-06-30 23:00:00"},  // EDT, UTC-4
		{"2024-01-01 18:29:59", kol, "2024-01-01 23:59:59"}, // UTC+5:30
		{"2024-01-01 18:30:00", kol, "2024-01-02 00:00:00"},
	} {
		ts, _ := time.Parse(time.DateTime, c.utc)
		if got := wall(ts, c.loc).Format(time.DateTime); got != c.want {
			t.Errorf("%s in %s: %s, want %s", c.utc, c.loc, got, c.want)
		}
	}
}

// TestAtTimeZoneSQLite: SQLite has no zone data, so AT TIME ZONE is
// refused with 0A000 rather than answered in UTC.
func TestAtTimeZoneSQLite(t *testing.T) {
	m := fixtureModel(t)
	_, err := Plan(m, dialect.SQLite, `SELECT DATE_TRUNC('day', created_at AT TIME ZONE 'Europe/Paris'), MEASURE(count) FROM orders GROUP BY 1`, nil)
	if e := pgerr.From(err); err == nil || e.Code != pgerr.FeatureNotSupported || e.Hint == "" {
		t.Fatalf("sqlite AT TIME ZONE: %v, want 0A000 with a hint", err)
	}
	// Without a zone the same query plans on SQLite.
	if _, err := Plan(m, dialect.SQLite, `SELECT DATE_TRUNC('day', created_at), MEASURE(count) FROM orders GROUP BY 1`, nil); err != nil {
		t.Fatal(err)
	}
}
