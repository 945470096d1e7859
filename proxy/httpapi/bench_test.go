package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/dialect"
)

// benchJSON is the REST twin of cmd/lattice's end-to-end benchQuery:
// count and total by status on one cube.
const benchJSON = `{"measures":["orders.count","orders.total_amount"],"dimensions":["orders.status"],"order":{"orders.status":"asc"}}`

// BenchmarkLoad runs the single-cube query through /v1/load over loopback
// HTTP (keep-alive, as a dashboard's fetch) and, in the same run, the SQL
// Lattice generates for it directly on PostgreSQL; compare with
// BenchmarkEndToEnd in cmd/lattice for the wire protocol.
func BenchmarkLoad(b *testing.B) {
	e := newEnv(b)
	tok := tokenFor(b, pgTenant)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	ctx := context.Background()
	get := e.srv.URL + "/cubejs-api/v1/load?" + url.Values{"query": {benchJSON}}.Encode()
	roundTrip := func(b *testing.B, req func() *http.Request) float64 {
		b.ReportAllocs()
		start := time.Now()
		for b.Loop() {
			resp, err := client.Do(req())
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"orders.count"`) {
				b.Fatalf("%d %s", resp.StatusCode, body)
			}
		}
		return float64(time.Since(start).Nanoseconds()) / float64(b.N)
	}

	// The generated SQL, run directly with pgx.
	c, err := e.manager.Resolve(ctx, mustContext(b, pgTenant))
	if err != nil {
		b.Fatal(err)
	}
	model := c.App.Model
	c.Release()
	comp, err := compile(model, mustQuery(b, benchJSON), fixedNow)
	if err != nil {
		b.Fatal(err)
	}
	stmts, err := planner.Plan(model, dialect.Postgres, comp.sql, nil)
	if err != nil {
		b.Fatal(err)
	}
	direct, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres sslmode=disable dbname="+pgTenant.Database(testPrefix))
	if err != nil {
		b.Fatal(err)
	}
	defer direct.Close(ctx)

	var directNs, getNs float64
	b.Run("postgres-direct", func(b *testing.B) {
		b.ReportAllocs()
		start := time.Now()
		for b.Loop() {
			rows, err := direct.Query(ctx, stmts[0].SQL, pgx.QueryExecModeSimpleProtocol)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			if rows.Err() != nil {
				b.Fatal(rows.Err())
			}
		}
		directNs = float64(time.Since(start).Nanoseconds()) / float64(b.N)
	})
	b.Run("http-get", func(b *testing.B) {
		getNs = roundTrip(b, func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, get, nil)
			r.Header.Set("Authorization", tok)
			return r
		})
	})
	b.Run("http-post", func(b *testing.B) {
		roundTrip(b, func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/cubejs-api/v1/load", strings.NewReader(`{"query":`+benchJSON+`}`))
			r.Header.Set("Authorization", tok)
			r.Header.Set("Content-Type", "application/json")
			return r
		})
	})
	// The handler without the network: what the API itself costs.
	b.Run("in-process", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodGet, get, nil)
			r.Header.Set("Authorization", tok)
			w := httptest.NewRecorder()
			e.api.Handler().ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
	if directNs > 0 && getNs > 0 {
		fmt.Printf("load: direct %v/query, through /v1/load %v/query: Lattice adds %v (ratio %.2f)\n",
			time.Duration(directNs), time.Duration(getNs), time.Duration(getNs-directNs), getNs/directNs)
	}
}

// BenchmarkCompile isolates JSON query → semantic SQL.
func BenchmarkCompile(b *testing.B) {
	e := newEnv(b)
	t, err := e.manager.Resolve(context.Background(), mustContext(b, pgTenant))
	if err != nil {
		b.Fatal(err)
	}
	defer t.Release()
	b.ReportAllocs()
	for b.Loop() {
		q, err := parseQuery([]byte(benchJSON))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := compile(t.App.Model, q.Queries[0], fixedNow); err != nil {
			b.Fatal(err)
		}
	}
}
