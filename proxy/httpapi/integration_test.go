package httpapi

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/examples/seed"
	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/tenancy"
	"github.com/lattice-sql/lattice/tenancy/driver"
)

// cents parses the seed's two-place decimal text.
func cents(s string) int64 {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	r.Mul(r, big.NewRat(100, 1))
	return r.Num().Int64() / r.Denom().Int64()
}

func money(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

// want computes the answer to "count and total amount by status, for
// orders matching keep" from the seed rows, independently of Lattice.
func wantByStatus(tn seed.Tenant, keep func(seed.Order) bool) []map[string]any {
	type agg struct {
		n     int
		total int64
	}
	by := map[string]*agg{}
	for _, o := range tn.Orders() {
		if keep != nil && !keep(o) {
			continue
		}
		a := by[o.Status]
		if a == nil {
			a = &agg{}
			by[o.Status] = a
		}
		a.n++
		a.total += cents(o.Amount)
	}
	var out []map[string]any
	for s, a := range by {
		out = append(out, map[string]any{"orders.status": s, "orders.count": fmt.Sprint(a.n), "orders.total_amount": money(a.total)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["orders.status"].(string) < out[j]["orders.status"].(string) })
	return out
}

func TestLoadMatchesSeedData(t *testing.T) {
	e := newEnv(t)
	jan := func(o seed.Order) bool { return o.CreatedAt.Before(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)) }
	cases := []struct {
		name   string
		filter string
		keep   func(seed.Order) bool
	}{
		{"all", ``, nil},
		{"equals", `,"filters":[{"member":"orders.status","operator":"equals","values":["completed","shipped"]}]`,
			func(o seed.Order) bool { return o.Status == "completed" || o.Status == "shipped" }},
		{"notEquals", `,"filters":[{"member":"orders.status","operator":"notEquals","values":["completed"]}]`,
			func(o seed.Order) bool { return o.Status != "completed" }},
		{"contains case-insensitive", `,"filters":[{"member":"orders.status","operator":"contains","values":["SHIP"]}]`,
			func(o seed.Order) bool { return strings.Contains(o.Status, "ship") }},
		{"contains is literal", `,"filters":[{"member":"orders.status","operator":"contains","values":["_"]}]`,
			func(o seed.Order) bool { return strings.Contains(o.Status, "_") }},
		{"notContains", `,"filters":[{"member":"orders.status","operator":"notContains","values":["o"]}]`,
			func(o seed.Order) bool { return !strings.Contains(o.Status, "o") }},
		{"startsWith", `,"filters":[{"member":"orders.status","operator":"startsWith","values":["pro"]}]`,
			func(o seed.Order) bool { return strings.HasPrefix(o.Status, "pro") }},
		{"endsWith", `,"filters":[{"member":"orders.status","operator":"endsWith","values":["ed"]}]`,
			func(o seed.Order) bool { return strings.HasSuffix(o.Status, "ed") }},
		{"gt number", `,"filters":[{"member":"orders.amount","operator":"gt","values":["300"]}]`,
			func(o seed.Order) bool { return cents(o.Amount) > 30000 }},
		{"lte number as JSON number", `,"filters":[{"member":"orders.amount","operator":"lte","values":[300.5]}]`,
			func(o seed.Order) bool { return cents(o.Amount) <= 30050 }},
		{"set", `,"filters":[{"member":"orders.status","operator":"set"}]`, nil},
		{"notSet", `,"filters":[{"member":"orders.status","operator":"notSet"}]`, func(seed.Order) bool { return false }},
		{"inDateRange", `,"filters":[{"member":"orders.created_at","operator":"inDateRange","values":["2024-01-01","2024-01-31"]}]`, jan},
		{"notInDateRange", `,"filters":[{"member":"orders.created_at","operator":"notInDateRange","values":["2024-01-01","2024-01-31"]}]`,
			func(o seed.Order) bool { return !jan(o) }},
		{"beforeDate", `,"filters":[{"member":"orders.created_at","operator":"beforeDate","values":["2024-02-01"]}]`, jan},
		{"afterDate", `,"filters":[{"member":"orders.created_at","operator":"afterDate","values":["2024-01-31"]}]`,
			func(o seed.Order) bool { return !jan(o) }},
		{"dateRange pair", `,"timeDimensions":[{"dimension":"orders.created_at","dateRange":["2024-01-01","2024-01-31"]}]`, jan},
		{"segment", `,"segments":["orders.completed"]`, func(o seed.Order) bool { return o.Status == "completed" }},
		{"or group", `,"filters":[{"or":[{"member":"orders.status","operator":"equals","values":["shipped"]},{"member":"orders.amount","operator":"lt","values":["100"]}]}]`,
			func(o seed.Order) bool { return o.Status == "shipped" || cents(o.Amount) < 10000 }},
		{"and inside or", `,"filters":[{"or":[{"and":[{"member":"orders.status","operator":"equals","values":["completed"]},{"member":"orders.amount","operator":"gte","values":["500"]}]},{"member":"orders.status","operator":"startsWith","values":["only"]}]}]`,
			func(o seed.Order) bool {
				return o.Status == "completed" && cents(o.Amount) >= 50000 || strings.HasPrefix(o.Status, "only")
			}},
	}
	for _, tn := range tenants {
		for _, tc := range cases {
			t.Run(tn.DBType+"/"+tc.name, func(t *testing.T) {
				q := `{"measures":["orders.count","orders.total_amount"],"dimensions":["orders.status"],"order":{"orders.status":"asc"}` + tc.filter + `}`
				got := e.load(t, tn, q)
				want := wantByStatus(tn, tc.keep)
				if len(want) == 0 {
					want = nil
				}
				if len(got) == 0 {
					got = nil
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", q, diff)
				}
			})
		}
	}
}

func TestLoadHaving(t *testing.T) {
	e := newEnv(t)
	for _, tn := range tenants {
		all := wantByStatus(tn, nil)
		var want []map[string]any
		for _, r := range all {
			var n int
			fmt.Sscan(r["orders.count"].(string), &n)
			if n > 5 {
				want = append(want, r)
			}
		}
		got := e.load(t, tn, `{"measures":["orders.count","orders.total_amount"],"dimensions":["orders.status"],"order":[["orders.status","asc"]],"filters":[{"member":"orders.count","operator":"gt","values":["5"]}]}`)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tn, diff)
		}
	}
}

func TestLoadTimeDimensions(t *testing.T) {
	e := newEnv(t)
	for _, tn := range tenants {
		byMonth := map[string]int{}
		for _, o := range tn.Orders() {
			byMonth[o.CreatedAt.Format("2006-01")+"-01T00:00:00.000"]++
		}
		var want []map[string]any
		for m, n := range byMonth {
			want = append(want, map[string]any{"orders.created_at.month": m, "orders.created_at": m, "orders.count": fmt.Sprint(n)})
		}
		sort.Slice(want, func(i, j int) bool {
			return want[i]["orders.created_at"].(string) < want[j]["orders.created_at"].(string)
		})
		// The default order of a query with a granular time dimension is that dimension.
		got := e.load(t, tn, `{"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.created_at","granularity":"month"}]}`)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v by month (-want +got):\n%s", tn, diff)
		}
		// The same through the cube.dim.granularity dimension spelling.
		got = e.load(t, tn, `{"measures":["orders.count"],"dimensions":["orders.created_at.month"]}`)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v by orders.created_at.month (-want +got):\n%s", tn, diff)
		}
	}
}

// TestRelativeDateRange resolves relative ranges against the injected
// clock (2024-02-14 15:30 UTC) and checks the counts against the seed.
func TestRelativeDateRange(t *testing.T) {
	e := newEnv(t)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		rng      string
		from, to time.Time // [from, to)
	}{
		{"today", day(2024, 2, 14), day(2024, 2, 15)},
		{"yesterday", day(2024, 2, 13), day(2024, 2, 14)},
		{"this week", day(2024, 2, 12), day(2024, 2, 19)},
		{"last week", day(2024, 2, 5), day(2024, 2, 12)},
		{"this month", day(2024, 2, 1), day(2024, 3, 1)},
		{"last month", day(2024, 1, 1), day(2024, 2, 1)},
		{"this quarter", day(2024, 1, 1), day(2024, 4, 1)},
		{"this year", day(2024, 1, 1), day(2025, 1, 1)},
		{"last year", day(2023, 1, 1), day(2024, 1, 1)},
		{"last 7 days", day(2024, 2, 7), day(2024, 2, 14)},
		{"last 2 weeks", day(2024, 1, 29), day(2024, 2, 12)},
		{"from 2024-01-10 to 2024-01-20", day(2024, 1, 10), day(2024, 1, 21)},
		{"from 10 days ago to now", day(2024, 2, 4), fixedNow.Add(time.Millisecond)},
	}
	for _, tn := range []seed.Tenant{pgTenant, myTenant} {
		for _, tc := range cases {
			n := 0
			for _, o := range tn.Orders() {
				if !o.CreatedAt.Before(tc.from) && o.CreatedAt.Before(tc.to) {
					n++
				}
			}
			q := fmt.Sprintf(`{"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.created_at","dateRange":%q}]}`, tc.rng)
			got := e.load(t, tn, q)
			want := []map[string]any{{"orders.count": fmt.Sprint(n)}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%v %q (-want +got):\n%s", tn, tc.rng, diff)
			}
		}
	}
}

func TestLoadJoinAndUngrouped(t *testing.T) {
	e := newEnv(t)
	for _, tn := range []seed.Tenant{pgTenant, myTenant} {
		city := map[int]string{}
		for _, u := range tn.Users() {
			city[u.ID] = u.City
		}
		by := map[string]int64{}
		for _, o := range tn.Orders() {
			by[city[o.UserID]] += cents(o.Amount)
		}
		var want []map[string]any
		for c, v := range by {
			want = append(want, map[string]any{"users.city": c, "orders.total_amount": money(v)})
		}
		sort.Slice(want, func(i, j int) bool { return want[i]["users.city"].(string) < want[j]["users.city"].(string) })
		got := e.load(t, tn, `{"measures":["orders.total_amount"],"dimensions":["users.city"],"order":{"users.city":"asc"}}`)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v join (-want +got):\n%s", tn, diff)
		}

		// Ungrouped: one row per order, limit and offset applied.
		got = e.load(t, tn, `{"dimensions":["orders.id","orders.status"],"measures":["orders.count"],"ungrouped":true,"order":{"orders.id":"asc"},"limit":3,"offset":2}`)
		var wantRows []map[string]any
		for _, o := range tn.Orders()[2:5] {
			wantRows = append(wantRows, map[string]any{"orders.id": fmt.Sprint(o.ID), "orders.status": o.Status, "orders.count": "1"})
		}
		if diff := cmp.Diff(wantRows, got); diff != "" {
			t.Errorf("%v ungrouped (-want +got):\n%s", tn, diff)
		}
	}
}

// TestTenantIsolation: a token only ever reaches its own tenant's rows.
func TestTenantIsolation(t *testing.T) {
	e := newEnv(t)
	for _, tn := range tenants {
		got := e.load(t, tn, `{"dimensions":["orders.status"]}`)
		var statuses []string
		for _, r := range got {
			statuses = append(statuses, r["orders.status"].(string))
		}
		if !slices.Contains(statuses, tn.UniqueStatus()) {
			t.Errorf("%v does not see its own status %q: %v", tn, tn.UniqueStatus(), statuses)
		}
		for _, other := range tenants {
			if other != tn && slices.Contains(statuses, other.UniqueStatus()) {
				t.Errorf("%v sees %v's rows: %v", tn, other, statuses)
			}
		}
	}
}

func TestPostAndMulti(t *testing.T) {
	e := newEnv(t)
	tok := "Bearer " + tokenFor(t, pgTenant)
	q := `{"measures":["orders.count"],"dimensions":["orders.status"],"order":{"orders.status":"asc"}}`
	var single struct {
		Query      Query            `json:"query"`
		Data       []map[string]any `json:"data"`
		Annotation annotation       `json:"annotation"`
		DBType     string           `json:"dbType"`
	}
	code, body := e.post(t, tok, "/cubejs-api/v1/load", `{"query":`+q+`}`, &single)
	if code != http.StatusOK {
		t.Fatalf("POST load: %d %s", code, body)
	}
	want := wantByStatus(pgTenant, nil)
	for _, r := range want {
		delete(r, "orders.total_amount")
	}
	if diff := cmp.Diff(want, single.Data); diff != "" {
		t.Errorf("POST load (-want +got):\n%s", diff)
	}
	if single.DBType != "postgres" || single.Annotation.Measures["orders.count"].Title != "Orders Count" ||
		single.Annotation.Dimensions["orders.status"].Type != "string" || *single.Query.Limit != DefaultLimit || single.Query.Timezone != "UTC" {
		t.Errorf("response fields: %s", body)
	}

	// queryType=multi wraps one query in results.
	var multi struct {
		QueryType  string                            `json:"queryType"`
		Results    []struct{ Data []map[string]any } `json:"results"`
		PivotQuery Query                             `json:"pivotQuery"`
	}
	code, body = e.get(t, tok, "/cubejs-api/v1/load", url.Values{"query": {q}, "queryType": {"multi"}}, &multi)
	if code != http.StatusOK || multi.QueryType != "regularQuery" || len(multi.Results) != 1 || multi.PivotQuery.QueryType != "regularQuery" {
		t.Fatalf("multi: %d %s", code, body)
	}
	if diff := cmp.Diff(want, multi.Results[0].Data); diff != "" {
		t.Errorf("multi (-want +got):\n%s", diff)
	}

	// An array is a blending query: multi only.
	arr := `[{"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.created_at","granularity":"month"}]},{"measures":["users.count"],"dimensions":["users.city"],"timeDimensions":[{"dimension":"orders.created_at","granularity":"month"}]}]`
	code, body = e.post(t, tok, "/cubejs-api/v1/load", `{"queryType":"multi","query":`+arr+`}`, &multi)
	if code != http.StatusOK || multi.QueryType != "blendingQuery" || len(multi.Results) != 2 {
		t.Fatalf("blending: %d %s", code, body)
	}
	if _, ok := multi.Results[0].Data[0]["time.month"]; !ok {
		t.Errorf("blending rows lack time.month: %v", multi.Results[0].Data[0])
	}
	code, body = e.post(t, tok, "/cubejs-api/v1/load", `{"query":`+arr+`}`, nil)
	if code != http.StatusBadRequest {
		t.Errorf("array without multi: %d %s", code, body)
	}
}

func TestMeta(t *testing.T) {
	e := newEnv(t)
	var m metaResponse
	code, body := e.get(t, tokenFor(t, pgTenant), "/cubejs-api/v1/meta", nil, &m)
	if code != http.StatusOK {
		t.Fatalf("meta: %d %s", code, body)
	}
	type member struct{ Name, Title, ShortTitle, Type string }
	got := map[string][]member{}
	comps := map[string]int{}
	for _, c := range m.Cubes {
		comps[c.Name] = c.ConnectedComponent
		for _, x := range c.Measures {
			got[c.Name] = append(got[c.Name], member{x.Name, x.Title, x.ShortTitle, x.Type + "/" + x.AggType})
		}
		for _, x := range c.Dimensions {
			got[c.Name] = append(got[c.Name], member{x.Name, x.Title, x.ShortTitle, x.Type})
		}
		for _, x := range c.Segments {
			got[c.Name] = append(got[c.Name], member{x.Name, x.Title, x.ShortTitle, "segment"})
		}
	}
	want := map[string][]member{
		"orders": {
			{"orders.count", "Orders Count", "Count", "number/count"},
			{"orders.total_amount", "Orders Total Amount", "Total Amount", "number/sum"},
			{"orders.average_amount", "Orders Average Amount", "Average Amount", "number/avg"},
			{"orders.completed_count", "Orders Completed Count", "Completed Count", "number/count"},
			{"orders.completed_ratio", "Orders Completed Ratio", "Completed Ratio", "number/number"},
			{"orders.id", "Orders Id", "Id", "number"},
			{"orders.status", "Orders Status", "Status", "string"},
			{"orders.amount", "Orders Amount", "Amount", "number"},
			{"orders.created_at", "Orders Created At", "Created At", "time"},
			{"orders.completed", "Orders Completed", "Completed", "segment"},
		},
		"users": {
			{"users.count", "Users Count", "Count", "number/count"},
			{"users.id", "Users Id", "Id", "number"},
			{"users.name", "Users Name", "Name", "string"},
			{"users.city", "Users City", "City", "string"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("meta (-want +got):\n%s", diff)
	}
	if comps["orders"] == 0 || comps["orders"] != comps["users"] {
		t.Errorf("joined cubes must share a connectedComponent: %v", comps)
	}
}

func TestSQLAndDryRun(t *testing.T) {
	e := newEnv(t)
	q := `{"measures":["orders.count"],"dimensions":["orders.status"],"filters":[{"member":"orders.status","operator":"equals","values":["x'); DROP TABLE orders; --"]}]}`
	for _, tn := range []seed.Tenant{pgTenant, myTenant} {
		var res struct {
			SQL struct {
				SQL [2]json.RawMessage `json:"sql"`
			} `json:"sql"`
		}
		code, body := e.get(t, tokenFor(t, tn), "/cubejs-api/v1/sql", url.Values{"query": {q}}, &res)
		if code != http.StatusOK {
			t.Fatalf("sql: %d %s", code, body)
		}
		var text string
		var params []string
		if err := json.Unmarshal(res.SQL.SQL[0], &text); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(res.SQL.SQL[1], &params); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "DROP") || !slices.Equal(params, []string{"x'); DROP TABLE orders; --"}) {
			t.Errorf("%v: the value must travel as a parameter: %q %q", tn, text, params)
		}
		if !strings.Contains(text, "COUNT(*)") || !strings.Contains(text, "LIMIT 10000") {
			t.Errorf("%v: unexpected SQL %q", tn, text)
		}
	}
	var dr dryRun
	code, body := e.get(t, tokenFor(t, pgTenant), "/cubejs-api/v1/dry-run", url.Values{"query": {q}}, &dr)
	if code != http.StatusOK {
		t.Fatalf("dry-run: %d %s", code, body)
	}
	if dr.QueryType != "regularQuery" || len(dr.NormalizedQueries) != 1 || dr.PivotQuery.QueryType != "regularQuery" ||
		!cmp.Equal(dr.QueryOrder, []map[string]string{{"orders.count": "desc"}}) {
		t.Errorf("dry-run: %s", body)
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t)
	good := tokenFor(t, pgTenant)
	claims := pgTenant.Claims()
	claims["exp"] = time.Now().Add(-time.Hour).Unix()
	expired, err := tenancy.Sign([]byte(testSecret), "HS256", claims, 0)
	if err != nil {
		t.Fatal(err)
	}
	unknown := tokenFor(t, seed.Tenant{AppID: 9, UserID: 9})
	q := `{"measures":["orders.count"]}`
	cases := []struct {
		name, auth, query string
		code              int
		msg               string
	}{
		{"no token", "", q, 403, "authorization header"},
		{"bad token", "Bearer not.a.jwt", q, 403, "invalid token"},
		{"expired token", expired, q, 403, "invalid token"},
		{"unknown tenant", unknown, q, 403, "tenant cannot be resolved"},
		{"bad JSON", good, `{"measures":`, 400, "invalid query format"},
		{"unknown key", good, `{"measure":["orders.count"]}`, 400, "invalid query format"},
		{"unknown cube", good, `{"measures":["nope.count"]}`, 400, "not found"},
		{"unknown member", good, `{"measures":["orders.nope"]}`, 400, "not found"},
		{"dimension as measure", good, `{"measures":["orders.status"]}`, 400, "not a measure"},
		{"empty query", good, `{}`, 400, "should contain"},
		{"bad operator", good, `{"measures":["orders.count"],"filters":[{"member":"orders.status","operator":"like","values":["a"]}]}`, 400, "not supported"},
		{"missing values", good, `{"measures":["orders.count"],"filters":[{"member":"orders.status","operator":"equals"}]}`, 400, "values required"},
		{"timezone", good, `{"measures":["orders.count"],"timezone":"Mars/Olympus_Mons"}`, 400, "unknown timezone"},
		{"bad date range", good, `{"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.created_at","dateRange":"sometime"}]}`, 400, "can't parse"},
		{"bad granularity", good, `{"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.created_at","granularity":"fortnight"}]}`, 400, "granularity"},
		{"limit too big", good, `{"measures":["orders.count"],"limit":50001}`, 400, "limit"},
		{"order not selected", good, `{"measures":["orders.count"],"order":{"orders.status":"asc"}}`, 400, "not in the query"},
		{"bad number", good, `{"measures":["orders.count"],"filters":[{"member":"orders.amount","operator":"gt","values":["lots"]}]}`, 400, "invalid input syntax"},
		{"mixed group", good, `{"measures":["orders.count"],"filters":[{"or":[{"member":"orders.count","operator":"gt","values":["1"]},{"member":"orders.status","operator":"set"}]}]}`, 400, "mix"},
	}
	req, _ := http.NewRequest(http.MethodDelete, e.srv.URL+"/cubejs-api/v1/load", nil)
	req.Header.Set("Authorization", good)
	if code, body := do(t, req, nil); code != http.StatusMethodNotAllowed || !strings.Contains(string(body), `"error"`) {
		t.Errorf("DELETE: %d %s", code, body)
	}
	if code, body := e.get(t, good, "/cubejs-api/v1/load", nil, nil); code != http.StatusBadRequest || !strings.Contains(string(body), "query param is required") {
		t.Errorf("no query: %d %s", code, body)
	}
	if code, body := e.get(t, good, "/cubejs-api/v2/nothing", nil, nil); code != http.StatusNotFound || !strings.Contains(string(body), `"error"`) {
		t.Errorf("unknown route: %d %s", code, body)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := e.get(t, tc.auth, "/cubejs-api/v1/load", url.Values{"query": {tc.query}}, nil)
			var eb errorBody
			if err := json.Unmarshal(body, &eb); err != nil {
				t.Fatalf("error body is not JSON: %s", body)
			}
			if code != tc.code || !strings.Contains(strings.ToLower(eb.Error), strings.ToLower(tc.msg)) {
				t.Errorf("got %d %s, want %d with %q", code, body, tc.code, tc.msg)
			}
			if strings.Contains(string(body), "goroutine") || strings.Contains(string(body), ".go:") {
				t.Errorf("body leaks internals: %s", body)
			}
		})
	}
}

// TestBackendError: a tenant whose database is unreachable gets a 500
// with a message, not a stack.
func TestBackendError(t *testing.T) {
	e := newEnv(t)
	hooks := testHooks()
	inner := hooks.DriverFactory
	hooks.DriverFactory = func(c *tenancy.Context, dbType string) (driver.Config, error) {
		cfg, err := inner(c, dbType)
		cfg.Database = testPrefix + "missing"
		return cfg, err
	}
	mgr := tenancy.NewManager(hooks, tenancy.ManagerOptions{})
	defer mgr.Close()
	api, err := New(Options{Authenticator: e.api.opts.Authenticator, Resolver: mgr})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	e2 := &env{srv: srv}
	code, body := e2.get(t, tokenFor(t, pgTenant), "/cubejs-api/v1/load", url.Values{"query": {`{"measures":["orders.count"]}`}}, nil)
	var eb errorBody
	_ = json.Unmarshal(body, &eb)
	if code != http.StatusInternalServerError || eb.Error == "" || strings.Contains(string(body), ".go:") {
		t.Errorf("got %d %s", code, body)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/livez", "/readyz"} {
		if code, body := e.get(t, "", p, nil, nil); code != http.StatusOK {
			t.Errorf("%s: %d %s", p, code, body)
		}
	}
	e.load(t, pgTenant, `{"measures":["orders.count"]}`)
	e.get(t, tokenFor(t, pgTenant), "/cubejs-api/v1/load", url.Values{"query": {`{"measures":["orders.nope"]}`}}, nil)
	code, body := e.get(t, "", "/metrics", nil, nil)
	if code != http.StatusOK {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{
		`lattice_http_requests_total{endpoint="load",code="200"} 1`,
		`lattice_http_requests_total{endpoint="load",code="400"} 1`,
		`lattice_queries_total{frontend="http",outcome="ok",class=""} 1`,
		`lattice_planning_seconds_count{frontend="http"} 1`,
		`lattice_backend_seconds_count{frontend="http"} 1`,
		"lattice_resident_apps 1\n",
		"lattice_backend_pools 1\n",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	_ = e.api.Shutdown(t.Context())
	if code, _ := e.get(t, "", "/readyz", nil, nil); code != http.StatusServiceUnavailable {
		t.Errorf("readyz after shutdown: %d", code)
	}
}

// TestPlanCache: filter values travel as parameters, so queries that
// differ only in values compile to the same SQL and share one cached plan,
// with or without the compiled-query cache.
func TestPlanCache(t *testing.T) {
	e := newEnv(t)
	for _, size := range []int{0, -1} {
		plans := planner.NewCache(16)
		api, err := New(Options{Authenticator: e.api.opts.Authenticator, Resolver: e.manager, PlanCacheSize: size, Planner: plans.Plan})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(api.Handler())
		e2 := &env{srv: srv}
		for range 3 {
			e2.load(t, pgTenant, `{"measures":["orders.count"],"filters":[{"member":"orders.status","operator":"equals","values":["completed"]}]}`)
		}
		e2.load(t, pgTenant, `{"measures":["orders.count"],"filters":[{"member":"orders.status","operator":"equals","values":["shipped"]}]}`)
		e2.load(t, pgTenant, `{"measures":["orders.total_amount"]}`)
		srv.Close()
		if n := plans.Len(); n != 2 {
			t.Errorf("cache size %d: %d plans cached, want 2", size, n)
		}
	}
}

// TestCachesFollowTheClockAndExpiry: a relative date range is resolved
// again on every request (never served from the compiled-query cache),
// and a cached token stops working when it expires.
func TestCachesFollowTheClockAndExpiry(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	now := time.Date(2024, 1, 2, 12, 0, 0, 0, time.UTC)
	api, err := New(Options{Authenticator: e.api.opts.Authenticator, Resolver: e.manager,
		Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	e2 := &env{srv: srv}
	q := `{"measures":["orders.count"],"timeDimensions":[{"dimension":"orders.created_at","dateRange":"today"}]}`
	for _, day := range []int{2, 5, 9} {
		mu.Lock()
		now = time.Date(2024, 1, day, 12, 0, 0, 0, time.UTC)
		mu.Unlock()
		n := 0
		for _, o := range pgTenant.Orders() {
			if o.CreatedAt.Day() == day && o.CreatedAt.Month() == time.January {
				n++
			}
		}
		got := e2.load(t, pgTenant, q)
		if diff := cmp.Diff([]map[string]any{{"orders.count": fmt.Sprint(n)}}, got); diff != "" {
			t.Errorf("today = Jan %d (-want +got):\n%s", day, diff)
		}
	}

	claims := pgTenant.Claims()
	claims["exp"] = time.Now().Add(1500 * time.Millisecond).Unix()
	tok, err := tenancy.Sign([]byte(testSecret), "HS256", claims, 0)
	if err != nil {
		t.Fatal(err)
	}
	get := func() int {
		code, _ := e2.get(t, tok, "/cubejs-api/v1/load", url.Values{"query": {`{"measures":["orders.count"]}`}}, nil)
		return code
	}
	if code := get(); code != http.StatusOK {
		t.Fatalf("fresh token: %d", code)
	}
	time.Sleep(time.Until(time.Unix(claims["exp"].(int64), 0).Add(1100 * time.Millisecond)))
	if code := get(); code != http.StatusForbidden {
		t.Errorf("expired token served from the cache: %d", code)
	}
}

// TestConcurrentIsolation: tenants loading at the same time through the
// shared caches each see only their own rows.
func TestConcurrentIsolation(t *testing.T) {
	e := newEnv(t)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 24 {
		tn := tenants[i%len(tenants)]
		tok := tokenFor(t, tn)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				var res struct{ Data []map[string]any }
				code, body := e.get(t, tok, "/cubejs-api/v1/load", url.Values{"query": {`{"dimensions":["orders.status"]}`}}, &res)
				if code != http.StatusOK {
					errs <- fmt.Sprintf("%v: %d %s", tn, code, body)
					return
				}
				seen := map[string]bool{}
				for _, r := range res.Data {
					seen[r["orders.status"].(string)] = true
				}
				for _, other := range tenants {
					if seen[other.UniqueStatus()] != (other == tn) {
						errs <- fmt.Sprintf("%v sees %v's unique status: %v", tn, other, seen)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
