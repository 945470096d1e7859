package metrics

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

func TestExposition(t *testing.T) {
	m := New()
	m.HTTPRequest("load", 200)
	m.HTTPRequest("load", 200)
	m.HTTPRequest("meta", 403)
	m.Query("http", nil)
	m.Query("http", pgerr.New(pgerr.UndefinedColumn, "no"))
	m.Query("pgwire", fmt.Errorf("wrapped: %w", pgerr.New(pgerr.QueryCanceled, "stop")))
	m.Query("pgwire", errors.New("plain"))
	m.ObservePlanning("http", 300*time.Microsecond)
	m.ObservePlanning("http", 2*time.Second)
	m.ObserveBackend("http", 20*time.Second)
	m.ConnOpened("pgwire")
	m.ConnOpened("pgwire")
	m.ConnClosed("pgwire")
	m.GaugeFunc("resident_apps", "Resident Apps.", func() float64 { return 3 })
	var b strings.Builder
	if err := m.Write(&b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"# TYPE lattice_http_requests_total counter\n",
		`lattice_http_requests_total{endpoint="load",code="200"} 2` + "\n",
		`lattice_http_requests_total{endpoint="meta",code="403"} 1` + "\n",
		`lattice_queries_total{frontend="http",outcome="ok",class=""} 1` + "\n",
		`lattice_queries_total{frontend="http",outcome="error",class="42"} 1` + "\n",
		`lattice_queries_total{frontend="pgwire",outcome="error",class="57"} 1` + "\n",
		`lattice_queries_total{frontend="pgwire",outcome="error",class="XX"} 1` + "\n",
		`lattice_planning_seconds_bucket{frontend="http",le="0.0005"} 1` + "\n",
		`lattice_planning_seconds_bucket{frontend="http",le="1"} 1` + "\n",
		`lattice_planning_seconds_bucket{frontend="http",le="2.5"} 2` + "\n",
		`lattice_planning_seconds_bucket{frontend="http",le="+Inf"} 2` + "\n",
		`lattice_planning_seconds_sum{frontend="http"} 2.0003` + "\n",
		`lattice_planning_seconds_count{frontend="http"} 2` + "\n",
		`lattice_backend_seconds_bucket{frontend="http",le="10"} 0` + "\n",
		`lattice_backend_seconds_bucket{frontend="http",le="+Inf"} 1` + "\n",
		`lattice_client_connections{frontend="pgwire"} 1` + "\n",
		"# TYPE lattice_resident_apps gauge\nlattice_resident_apps 3\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	// Two scrapes of the same state are identical.
	var again strings.Builder
	_ = m.Write(&again)
	if diff := cmp.Diff(got, again.String()); diff != "" {
		t.Errorf("scrapes differ:\n%s", diff)
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") || rec.Body.String() != got {
		t.Errorf("ServeHTTP: %q", ct)
	}
}

func TestNilIsNoop(t *testing.T) {
	var m *Metrics
	m.HTTPRequest("load", 200)
	m.Query("http", nil)
	m.ObservePlanning("http", time.Second)
	m.ObserveBackend("http", time.Second)
	m.ConnOpened("x")
	m.ConnClosed("x")
	m.GaugeFunc("x", "x", func() float64 { return 1 })
	var b strings.Builder
	if err := m.Write(&b); err != nil || b.Len() != 0 {
		t.Errorf("nil Metrics wrote %q, %v", b.String(), err)
	}
}

func TestLabelEscaping(t *testing.T) {
	if got := q("a\"b\\c\nd"); got != `"a\"b\\c\nd"` {
		t.Errorf("got %s", got)
	}
}

func TestConcurrent(t *testing.T) {
	m := New()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				m.HTTPRequest("load", 200+i%2)
				m.ObserveBackend("http", time.Millisecond)
			}
		}()
	}
	wg.Wait()
	var b strings.Builder
	_ = m.Write(&b)
	if !strings.Contains(b.String(), `lattice_backend_seconds_count{frontend="http"} 8000`) ||
		!strings.Contains(b.String(), `lattice_http_requests_total{endpoint="load",code="200"} 4000`) {
		t.Errorf("lost updates:\n%s", b.String())
	}
}

func BenchmarkObserve(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveBackend("http", time.Millisecond)
	}
}
