package httpapi

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/examples/seed"
)

// localWall is the wall clock of t in loc, as a zone-less time.
func localWall(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

func localDay(t time.Time, loc *time.Location) time.Time {
	w := localWall(t, loc)
	return time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)
}

// countByDay is the expected answer of a count by day in loc, for orders
// whose local time keep accepts, computed from the seed rows in Go.
func countByDay(tn seed.Tenant, loc *time.Location, keep func(local time.Time) bool) []map[string]any {
	by := map[string]int{}
	for _, o := range tn.Orders() {
		if keep != nil && !keep(localWall(o.CreatedAt, loc)) {
			continue
		}
		by[localDay(o.CreatedAt, loc).Format(cubeTime)]++
	}
	var out []map[string]any
	for d, n := range by {
		out = append(out, map[string]any{"orders.created_at.day": d, "orders.created_at": d, "orders.count": fmt.Sprint(n)})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i]["orders.created_at"].(string) < out[j]["orders.created_at"].(string)
	})
	return out
}

// TestLoadTimezone checks the query timezone on both backends: days,
// date ranges, date filters, plain time dimensions and relative ranges
// are local to the zone, against answers computed from the seed in Go.
// New York has daylight saving time, Kolkata a half-hour offset.
func TestLoadTimezone(t *testing.T) {
	e := newEnv(t)
	for _, zone := range []string{"America/New_York", "Asia/Kolkata"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, tn := range []seed.Tenant{pgTenant, myTenant} {
			name := tn.DBType + "/" + zone
			// Days: the seed's hours straddle local midnights, so the
			// local answer differs from the UTC one.
			want := countByDay(tn, loc, nil)
			if cmp.Equal(want, countByDay(tn, time.UTC, nil)) {
				t.Fatalf("%s: the seed has the same days in UTC: the test cannot fail", name)
			}
			got := e.load(t, tn, `{"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.created_at","granularity":"day"}],"timezone":"`+zone+`"}`)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s by day (-want +got):\n%s", name, diff)
			}

			// A dateRange of local days, inclusive.
			from, to := time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 21, 0, 0, 0, 0, time.UTC)
			want = countByDay(tn, loc, func(l time.Time) bool { return !l.Before(from) && l.Before(to) })
			got = e.load(t, tn, `{"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.created_at","granularity":"day","dateRange":["2024-01-10","2024-01-20"]}],"timezone":"`+zone+`"}`)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s dateRange (-want +got):\n%s", name, diff)
			}

			// A relative range: the last 7 local days before today in the
			// zone, at the test clock.
			today := localDay(fixedNow, loc)
			want = countByDay(tn, loc, func(l time.Time) bool { return !l.Before(today.AddDate(0, 0, -7)) && l.Before(today) })
			got = e.load(t, tn, `{"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.created_at","granularity":"day","dateRange":"last 7 days"}],"timezone":"`+zone+`"}`)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s last 7 days (-want +got):\n%s", name, diff)
			}

			// A plain time dimension is local time, and beforeDate and
			// afterDate bounds are local times.
			lo, hi := time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
			var rows []map[string]any
			for _, o := range tn.Orders() {
				if l := localWall(o.CreatedAt, loc); !l.Before(lo.AddDate(0, 0, 1)) && l.Before(hi) {
					rows = append(rows, map[string]any{"orders.id": fmt.Sprint(o.ID), "orders.created_at": l.Format(cubeTime)})
				}
			}
			got = e.load(t, tn, `{"dimensions":["orders.id","orders.created_at"],"ungrouped":true,"order":{"orders.id":"asc"},"filters":[`+
				`{"member":"orders.created_at","operator":"afterDate","values":["2024-01-05"]},`+
				`{"member":"orders.created_at","operator":"beforeDate","values":["2024-01-15"]}],"timezone":"`+zone+`"}`)
			if len(rows) < 3 {
				t.Fatalf("%s: only %d rows between the dates: the test checks too little", name, len(rows))
			}
			if diff := cmp.Diff(rows, got); diff != "" {
				t.Errorf("%s local times and date filters (-want +got):\n%s", name, diff)
			}
		}
	}
}
