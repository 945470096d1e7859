package metrics

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultBuckets are the latency histogram bounds in seconds: from half a
// millisecond (a cached plan) to ten seconds (a slow warehouse query).
var DefaultBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics holds every series. The zero value is not usable; call New.
// A nil *Metrics ignores every call.
type Metrics struct {
	buckets []float64

	mu       sync.Mutex
	requests map[[2]string]*atomic.Int64 // endpoint, code
	queries  map[[3]string]*atomic.Int64 // frontend, outcome, class
	planning map[string]*histogram       // by frontend
	backend  map[string]*histogram
	conns    map[string]*atomic.Int64
	gauges   []gaugeFunc
}

type gaugeFunc struct {
	name, help string
	f          func() float64
}

// New returns empty Metrics with DefaultBuckets.
func New() *Metrics {
	return &Metrics{
		buckets:  DefaultBuckets,
		requests: map[[2]string]*atomic.Int64{},
		queries:  map[[3]string]*atomic.Int64{},
		planning: map[string]*histogram{},
		backend:  map[string]*histogram{},
		conns:    map[string]*atomic.Int64{},
	}
}

// HTTPRequest counts one REST request. endpoint must come from a fixed
// set of route names, never from the request path.
func (m *Metrics) HTTPRequest(endpoint string, code int) {
	if m == nil {
		return
	}
	counter(m, m.requests, [2]string{endpoint, strconv.Itoa(code)}).Add(1)
}

// Query counts one query. err is nil for success; otherwise its SQLSTATE
// (if it has one, via a SQLState method) is cut to its class.
func (m *Metrics) Query(frontend string, err error) {
	if m == nil {
		return
	}
	outcome, class := "ok", ""
	if err != nil {
		outcome, class = "error", Class(err)
	}
	counter(m, m.queries, [3]string{frontend, outcome, class}).Add(1)
}

// Class returns the two-character SQLSTATE class of err, "XX" when it
// carries none.
func Class(err error) string {
	var s interface{ SQLState() string }
	if !errors.As(err, &s) || len(s.SQLState()) != 5 {
		return "XX"
	}
	return s.SQLState()[:2]
}

// ObservePlanning records how long planning one statement took.
func (m *Metrics) ObservePlanning(frontend string, d time.Duration) {
	if m == nil {
		return
	}
	m.hist(m.planning, frontend).observe(d.Seconds())
}

// ObserveBackend records how long one backend query took, rows included.
func (m *Metrics) ObserveBackend(frontend string, d time.Duration) {
	if m == nil {
		return
	}
	m.hist(m.backend, frontend).observe(d.Seconds())
}

// ConnOpened and ConnClosed track open client connections.
func (m *Metrics) ConnOpened(frontend string) {
	if m != nil {
		counter(m, m.conns, frontend).Add(1)
	}
}

// ConnClosed is the counterpart of ConnOpened.
func (m *Metrics) ConnClosed(frontend string) {
	if m != nil {
		counter(m, m.conns, frontend).Add(-1)
	}
}

// GaugeFunc registers a gauge read at scrape time, e.g. the Manager's
// resident Apps. name gets the lattice_ prefix; registering a name twice
// replaces the first.
func (m *Metrics) GaugeFunc(name, help string, f func() float64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gauges = slices.DeleteFunc(m.gauges, func(g gaugeFunc) bool { return g.name == name })
	m.gauges = append(m.gauges, gaugeFunc{name: name, help: help, f: f})
}

func counter[K comparable](m *Metrics, set map[K]*atomic.Int64, k K) *atomic.Int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := set[k]
	if c == nil {
		c = new(atomic.Int64)
		set[k] = c
	}
	return c
}

func (m *Metrics) hist(set map[string]*histogram, k string) *histogram {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := set[k]
	if h == nil {
		h = &histogram{bounds: m.buckets, counts: make([]uint64, len(m.buckets)+1)}
		set[k] = h
	}
	return h
}

// histogram is a cumulative-on-write Prometheus histogram.
type histogram struct {
	mu     sync.Mutex
	bounds []float64
	counts []uint64 // per bucket, last is +Inf; not cumulative
	sum    float64
	n      uint64
}

func (h *histogram) observe(v float64) {
	i, _ := slices.BinarySearch(h.bounds, v)
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.n++
	h.mu.Unlock()
}

// ServeHTTP writes the exposition.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_ = m.Write(w)
}

// Write writes every series in the text exposition format, sorted so
// that two scrapes of the same state are byte-identical.
func (m *Metrics) Write(out io.Writer) error {
	w := bufio.NewWriter(out)
	if m == nil {
		return w.Flush()
	}
	m.mu.Lock()
	requests := snapshot(m.requests)
	queries := snapshot(m.queries)
	conns := snapshot(m.conns)
	planning := make(map[string]*histogram, len(m.planning))
	for k, v := range m.planning {
		planning[k] = v
	}
	backend := make(map[string]*histogram, len(m.backend))
	for k, v := range m.backend {
		backend[k] = v
	}
	gauges := slices.Clone(m.gauges)
	m.mu.Unlock()

	header(w, "lattice_http_requests_total", "counter", "REST API requests by endpoint and HTTP status.")
	for _, k := range sortedKeys(requests, func(k [2]string) string { return k[0] + "\x00" + k[1] }) {
		fmt.Fprintf(w, "lattice_http_requests_total{endpoint=%s,code=%s} %d\n", q(k[0]), q(k[1]), requests[k])
	}
	header(w, "lattice_queries_total", "counter", "Queries by front end, outcome and SQLSTATE class.")
	for _, k := range sortedKeys(queries, func(k [3]string) string { return k[0] + "\x00" + k[1] + "\x00" + k[2] }) {
		fmt.Fprintf(w, "lattice_queries_total{frontend=%s,outcome=%s,class=%s} %d\n", q(k[0]), q(k[1]), q(k[2]), queries[k])
	}
	writeHist(w, "lattice_planning_seconds", "Time to plan one statement.", planning)
	writeHist(w, "lattice_backend_seconds", "Time to run one backend query and read its rows.", backend)
	header(w, "lattice_client_connections", "gauge", "Open client connections by front end.")
	for _, k := range sortedKeys(conns, func(k string) string { return k }) {
		fmt.Fprintf(w, "lattice_client_connections{frontend=%s} %d\n", q(k), conns[k])
	}
	slices.SortFunc(gauges, func(a, b gaugeFunc) int { return strings.Compare(a.name, b.name) })
	for _, g := range gauges {
		name := "lattice_" + g.name
		header(w, name, "gauge", g.help)
		fmt.Fprintf(w, "%s %s\n", name, num(g.f()))
	}
	return w.Flush()
}

func header(w io.Writer, name, typ, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

func writeHist(w io.Writer, name, help string, set map[string]*histogram) {
	header(w, name, "histogram", help)
	for _, k := range sortedKeys(set, func(k string) string { return k }) {
		h := set[k]
		h.mu.Lock()
		counts, sum, n := slices.Clone(h.counts), h.sum, h.n
		h.mu.Unlock()
		var cum uint64
		for i, b := range h.bounds {
			cum += counts[i]
			fmt.Fprintf(w, "%s_bucket{frontend=%s,le=%s} %d\n", name, q(k), q(num(b)), cum)
		}
		fmt.Fprintf(w, "%s_bucket{frontend=%s,le=\"+Inf\"} %d\n", name, q(k), n)
		fmt.Fprintf(w, "%s_sum{frontend=%s} %s\n", name, q(k), num(sum))
		fmt.Fprintf(w, "%s_count{frontend=%s} %d\n", name, q(k), n)
	}
}

func snapshot[K comparable](set map[K]*atomic.Int64) map[K]int64 {
	out := make(map[K]int64, len(set))
	for k, v := range set {
		out[k] = v.Load()
	}
	return out
}

func sortedKeys[K comparable, V any](set map[K]V, key func(K) string) []K {
	keys := make([]K, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b K) int { return strings.Compare(key(a), key(b)) })
	return keys
}

// q quotes a label value as the exposition format wants.
func q(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func num(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
