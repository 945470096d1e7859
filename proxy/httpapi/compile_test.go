package httpapi

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

func seedModel(t testing.TB) *schema.Model {
	t.Helper()
	m, err := schema.Load(t.Context(), schema.DirRepository{Root: filepath.Join(seedDir(), "model", "1")})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCompile runs testdata/compile.txt:
//
//	compile
//	<JSON query>
//	----
//	sql: <semantic SQL>
//	params: [...]
//	order: ...
//
// or `error (SQLSTATE, HTTP status): message`. Every case is also planned
// for PostgreSQL and MySQL, so the SQL is the planner's dialect. Rewrite
// with -rewrite.
func TestCompile(t *testing.T) {
	m := seedModel(t)
	datadriven.RunTest(t, "testdata/compile.txt", func(t *testing.T, td *datadriven.TestData) string {
		if td.Cmd != "compile" {
			t.Fatalf("unknown command %q", td.Cmd)
		}
		req, err := parseQuery([]byte(td.Input))
		if err != nil {
			return errLine(err)
		}
		c, err := compile(m, req.Queries[0], fixedNow)
		if err != nil {
			return errLine(err)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "sql: %s\n", c.sql)
		var params []string
		for _, p := range c.params {
			params = append(params, *p)
		}
		fmt.Fprintf(&b, "params: %q\n", params)
		var keys []string
		for _, col := range c.cols {
			keys = append(keys, strings.Join(col.keys, "|"))
		}
		fmt.Fprintf(&b, "keys: %s\n", strings.Join(keys, ", "))
		order, _ := c.query.Order.MarshalJSON()
		fmt.Fprintf(&b, "order: %s\n", order)
		for _, d := range []dialect.Dialect{dialect.Postgres, dialect.MySQL} {
			stmts, err := planner.Plan(m, d, c.sql, nil)
			if err != nil {
				fmt.Fprintf(&b, "plan %s: %s", d.Name(), errLine(err))
				continue
			}
			if _, err := bindArgs(stmts[0], c.params); err != nil {
				fmt.Fprintf(&b, "bind %s: %s", d.Name(), errLine(err))
			}
		}
		return b.String()
	})
}

func errLine(err error) string {
	return fmt.Sprintf("error (%s, %d): %s\n", pgerr.Code(err), Status(err), pgerr.From(err).Message)
}

func TestResolveDateRange(t *testing.T) {
	now := time.Date(2024, 3, 31, 10, 20, 30, 0, time.UTC) // a Sunday, end of a month and quarter
	cases := []struct {
		in       DateRange
		from, to string
	}{
		{DateRange{Pair: []string{"2024-01-01", "2024-01-31"}}, "2024-01-01T00:00:00.000", "2024-01-31T23:59:59.999"},
		{DateRange{Pair: []string{"2024-01-05"}}, "2024-01-05T00:00:00.000", "2024-01-05T23:59:59.999"},
		{DateRange{Pair: []string{"2024-01-05T10:00:00", "2024-01-05 11:30:00.25"}}, "2024-01-05T10:00:00.000", "2024-01-05T11:30:00.250"},
		{DateRange{Pair: []string{"2024-01-05T10:00:00Z", "2024-01-05T12:00:00+02:00"}}, "2024-01-05T10:00:00.000", "2024-01-05T10:00:00.000"},
		{DateRange{Relative: "today"}, "2024-03-31T00:00:00.000", "2024-03-31T23:59:59.999"},
		{DateRange{Relative: "Yesterday"}, "2024-03-30T00:00:00.000", "2024-03-30T23:59:59.999"},
		{DateRange{Relative: "tomorrow"}, "2024-04-01T00:00:00.000", "2024-04-01T23:59:59.999"},
		{DateRange{Relative: "this week"}, "2024-03-25T00:00:00.000", "2024-03-31T23:59:59.999"},
		{DateRange{Relative: "last week"}, "2024-03-18T00:00:00.000", "2024-03-24T23:59:59.999"},
		{DateRange{Relative: "this month"}, "2024-03-01T00:00:00.000", "2024-03-31T23:59:59.999"},
		{DateRange{Relative: "last month"}, "2024-02-01T00:00:00.000", "2024-02-29T23:59:59.999"},
		{DateRange{Relative: "next month"}, "2024-04-01T00:00:00.000", "2024-04-30T23:59:59.999"},
		{DateRange{Relative: "this quarter"}, "2024-01-01T00:00:00.000", "2024-03-31T23:59:59.999"},
		{DateRange{Relative: "last quarter"}, "2023-10-01T00:00:00.000", "2023-12-31T23:59:59.999"},
		{DateRange{Relative: "this year"}, "2024-01-01T00:00:00.000", "2024-12-31T23:59:59.999"},
		{DateRange{Relative: "last year"}, "2023-01-01T00:00:00.000", "2023-12-31T23:59:59.999"},
		{DateRange{Relative: "last 7 days"}, "2024-03-24T00:00:00.000", "2024-03-30T23:59:59.999"},
		{DateRange{Relative: "last 1 day"}, "2024-03-30T00:00:00.000", "2024-03-30T23:59:59.999"},
		{DateRange{Relative: "last 2 weeks"}, "2024-03-11T00:00:00.000", "2024-03-24T23:59:59.999"},
		{DateRange{Relative: "last 3 months"}, "2023-12-01T00:00:00.000", "2024-02-29T23:59:59.999"},
		{DateRange{Relative: "next 2 days"}, "2024-04-01T00:00:00.000", "2024-04-02T23:59:59.999"},
		{DateRange{Relative: "last 6 hours"}, "2024-03-31T04:00:00.000", "2024-03-31T09:59:59.999"},
		{DateRange{Relative: "from 2024-01-01 to 2024-02-15"}, "2024-01-01T00:00:00.000", "2024-02-15T23:59:59.999"},
		{DateRange{Relative: "from 7 days ago to now"}, "2024-03-24T00:00:00.000", "2024-03-31T10:20:30.000"},
		{DateRange{Relative: "from yesterday to today"}, "2024-03-30T00:00:00.000", "2024-03-31T23:59:59.999"},
		{DateRange{Relative: "2024-02-29"}, "2024-02-29T00:00:00.000", "2024-02-29T23:59:59.999"},
	}
	for _, tc := range cases {
		got, err := resolveDateRange(tc.in, now)
		if err != nil {
			t.Errorf("%+v: %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff([2]string{tc.from, tc.to}, got); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tc.in, diff)
		}
	}
	for _, bad := range []DateRange{{Relative: "someday"}, {Relative: "last 0 days"}, {Relative: "last 3 fortnights"},
		{Pair: []string{"2024-13-01"}}, {Pair: []string{"a", "b", "c"}}, {Relative: "from x to y"}} {
		if _, err := resolveDateRange(bad, now); err == nil || Status(err) != 400 {
			t.Errorf("%+v: want a 400, got %v", bad, err)
		}
	}
}

func TestAppendCubeTime(t *testing.T) {
	for in, want := range map[string]string{
		"2024-01-02 03:04:05":           "2024-01-02T03:04:05.000",
		"2024-01-02T03:04:05":           "2024-01-02T03:04:05.000",
		"2024-01-02 03:04:05.1":         "2024-01-02T03:04:05.100",
		"2024-01-02 03:04:05.123456":    "2024-01-02T03:04:05.123",
		"2024-01-02 03:04:05.5+00":      "2024-01-02T03:04:05.500",
		"2024-01-02":                    "2024-01-02T00:00:00.000",
		"2024-01-02 03:04:05.000000000": "2024-01-02T03:04:05.000",
	} {
		if got := string(appendCubeTime(nil, []byte(in))); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestHumanize(t *testing.T) {
	for in, want := range map[string]string{"total_amount": "Total Amount", "createdAt": "Created At", "id": "Id", "count": "Count", "week": "Week"} {
		if got := humanize(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"plain", `q"uote\`, "tab\tnl\n", "<script>&", "\x01", "é", "\xff bad"} {
		got := appendString(nil, s)
		var back string
		if err := jsonUnmarshal(got, &back); err != nil {
			t.Errorf("%q: %s is not JSON: %v", s, got, err)
			continue
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); back != want {
			t.Errorf("%q: round trip gave %q", s, back)
		}
	}
}
