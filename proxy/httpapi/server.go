package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/proxy"
	"github.com/lattice-sql/lattice/proxy/metrics"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy"
)

// The REST API takes the same collaborators as the Postgres front end: an
// Authenticator (tenancy.Verifier; an error that is not a *pgerr.Error is
// treated as 28P01), a Resolver (tenancy.Manager) and a planner.
type (
	Authenticator = proxy.Authenticator
	Resolver      = proxy.Resolver
	PlanFunc      = planner.PlanFunc
)

// Options configure a Server. Authenticator and Resolver are required.
type Options struct {
	// Listen is the TCP address for ListenAndServe, e.g. "127.0.0.1:4000".
	Listen        string
	Logger        *slog.Logger
	Authenticator Authenticator
	Resolver      Resolver
	// Metrics receives request, query and latency counts and is served on
	// /metrics; nil serves an empty exposition.
	Metrics *metrics.Metrics
	// Planner plans SQL; nil means planner.Plan.
	Planner PlanFunc
	// Now is the clock relative date ranges are resolved against; nil
	// means time.Now.
	Now func() time.Time
	// QueryTimeout bounds one query's backend time (57014, HTTP 500); 0
	// means none.
	QueryTimeout time.Duration
	// MaxBodyBytes caps a POST body; 0 means 1 MiB.
	MaxBodyBytes int64
	// AllowOrigin, when set, is sent as Access-Control-Allow-Origin and
	// preflight requests are answered, for dashboards in browsers.
	AllowOrigin string
	// BasePath prefixes the API routes; "" means /cubejs-api.
	BasePath string
	// PlanCacheSize bounds the caches of compiled queries and of verified
	// tokens (four times as many), and of plans when Planner is nil (a
	// planner.Cache); 0 means 1024, negative disables them.
	PlanCacheSize int
}

// A Server serves the Cube REST API, health checks and metrics. Safe for
// concurrent use.
type Server struct {
	opts    Options
	log     *slog.Logger
	plan    PlanFunc
	now     func() time.Time
	metrics *metrics.Metrics
	handler http.Handler
	queries *boundedMap[compiledKey, cachedQuery]
	tokens  *boundedMap[string, verifiedToken]
	http    *http.Server
	ready   atomic.Bool
}

// New checks opts and returns a Server; nothing listens until Serve or
// ListenAndServe.
func New(opts Options) (*Server, error) {
	if opts.Authenticator == nil || opts.Resolver == nil {
		return nil, errors.New("httpapi: an Authenticator and a Resolver are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.BasePath == "" {
		opts.BasePath = "/cubejs-api"
	}
	opts.BasePath = "/" + strings.Trim(opts.BasePath, "/")
	if opts.PlanCacheSize == 0 {
		opts.PlanCacheSize = 1024
	}
	s := &Server{opts: opts, log: opts.Logger, plan: opts.Planner, now: opts.Now, metrics: opts.Metrics}
	if s.plan == nil {
		s.plan = planner.Plan
		if opts.PlanCacheSize > 0 {
			s.plan = planner.NewCache(opts.PlanCacheSize).Plan
		}
	}
	if n := opts.PlanCacheSize; n > 0 {
		s.queries = newBoundedMap[compiledKey, cachedQuery](n)
		s.tokens = newBoundedMap[string, verifiedToken](4 * n)
	}
	if s.now == nil {
		s.now = time.Now
	}
	// A Resolver that counts its Apps (tenancy.Manager) feeds gauges.
	if st, ok := opts.Resolver.(interface{ Stats() tenancy.Stats }); ok && s.metrics != nil {
		s.metrics.GaugeFunc("resident_apps", "Apps (compiled data models) resident in the tenancy cache.", func() float64 { return float64(st.Stats().Apps) })
		s.metrics.GaugeFunc("backend_pools", "Open backend connection pools.", func() float64 { return float64(st.Stats().Pools) })
	}
	mux := http.NewServeMux()
	api := opts.BasePath + "/v1/"
	mux.Handle(api+"load", s.route("load", s.handleLoad))
	mux.Handle(api+"sql", s.route("sql", s.handleSQL))
	mux.Handle(api+"dry-run", s.route("dry-run", s.handleDryRun))
	mux.Handle(api+"meta", s.route("meta", s.handleMeta))
	mux.Handle("/livez", s.route("livez", func(w http.ResponseWriter, r *http.Request) (int, error) {
		return writeJSON(w, http.StatusOK, map[string]string{"health": "HEALTH"})
	}))
	mux.Handle("/readyz", s.route("readyz", func(w http.ResponseWriter, r *http.Request) (int, error) {
		if !s.ready.Load() {
			return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"health": "DOWN"})
		}
		return writeJSON(w, http.StatusOK, map[string]string{"health": "HEALTH"})
	}))
	mux.Handle("/metrics", s.route("metrics", func(w http.ResponseWriter, r *http.Request) (int, error) {
		s.metrics.ServeHTTP(w, r)
		return http.StatusOK, nil
	}))
	mux.Handle("/", s.route("other", func(w http.ResponseWriter, r *http.Request) (int, error) {
		return writeJSON(w, http.StatusNotFound, errorBody{Error: "not found: " + r.URL.Path})
	}))
	s.handler = mux
	s.ready.Store(true)
	// Built here, not in Serve, so Shutdown never races with Serve.
	s.http = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	return s, nil
}

// Handler is the whole API as an http.Handler, for a listener of the
// caller's own or an adapter such as AWS Lambda's.
func (s *Server) Handler() http.Handler { return s.handler }

// ListenAndServe listens on Options.Listen and serves until Shutdown.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve serves on ln until Shutdown; it returns http.ErrServerClosed then.
func (s *Server) Serve(ln net.Listener) error {
	s.ready.Store(true)
	return s.http.Serve(ln)
}

// Shutdown marks the server not ready, stops accepting and waits for
// running requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.ready.Store(false)
	if s.http == nil {
		return nil
	}
	return s.http.Shutdown(ctx)
}

// handlerFunc writes a response and returns its status, or returns an
// error for route to write.
type handlerFunc func(w http.ResponseWriter, r *http.Request) (int, error)

// route wraps a handler: CORS, panic recovery, error bodies, metrics.
// endpoint is a fixed name, so metric labels stay bounded.
func (s *Server) route(endpoint string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := s.opts.AllowOrigin; o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type, x-request-id")
				w.WriteHeader(http.StatusNoContent)
				s.metrics.HTTPRequest(endpoint, http.StatusNoContent)
				return
			}
		}
		code := http.StatusInternalServerError
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("http handler panicked", "endpoint", endpoint, "panic", p)
				code, _ = writeError(w, pgerr.New(pgerr.InternalError, "internal error"))
			}
			s.metrics.HTTPRequest(endpoint, code)
		}()
		c, err := h(w, r)
		if err != nil {
			c, _ = writeError(w, err)
			if c >= 500 {
				s.log.Warn("http request failed", "endpoint", endpoint, "status", c, "code", pgerr.Code(err), "err", err)
			} else {
				s.log.Debug("http request refused", "endpoint", endpoint, "status", c, "err", err)
			}
		}
		code = c
	})
}

// errorBody is Cube's error response; sqlState is Lattice's addition.
type errorBody struct {
	Error    string `json:"error"`
	SQLState string `json:"sqlState,omitempty"`
	Hint     string `json:"hint,omitempty"`
}

// Status maps an error to its HTTP status: 403 for authentication and
// authorization (28xxx), 400 for a query the client got wrong (syntax,
// unknown member, unsupported feature, bad value: classes 42, 0A, 22)
// except an invalid data model (42P17, the deployment's fault), 500
// otherwise.
func Status(err error) int {
	code := pgerr.Code(err)
	switch {
	case strings.HasPrefix(code, "28"):
		return http.StatusForbidden
	case code == pgerr.InvalidObjectDefinition:
		return http.StatusInternalServerError
	case strings.HasPrefix(code, "42"), strings.HasPrefix(code, "0A"), strings.HasPrefix(code, "22"):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// writeError writes err as {"error": ...}: the client-facing message of
// a *pgerr.Error, never a wrapped cause or a stack.
func writeError(w http.ResponseWriter, err error) (int, error) {
	status := Status(err)
	if err == errMethod {
		w.Header().Set("Allow", "GET, POST")
		status = http.StatusMethodNotAllowed
	}
	pe := pgerr.From(err)
	msg := pe.Message
	if pe.Code == pgerr.InternalError && status == http.StatusInternalServerError && !isPgErr(err) {
		msg = "internal error"
	}
	return writeJSON(w, status, errorBody{Error: msg, SQLState: pe.Code, Hint: pe.Hint})
}

func isPgErr(err error) bool {
	var pe *pgerr.Error
	return errors.As(err, &pe)
}

func writeJSON(w http.ResponseWriter, status int, v any) (int, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return status, err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return status, nil
}

// token reads the Authorization header: a bare JWT or "Bearer <jwt>".
func token(r *http.Request) (string, error) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return "", pgerr.New(pgerr.InvalidAuthorization, "authorization header isn't set")
	}
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		h = strings.TrimSpace(h[7:])
	}
	if h == "" {
		return "", pgerr.New(pgerr.InvalidAuthorization, "authorization header isn't set")
	}
	return h, nil
}

// tenant authenticates the request and resolves its tenant; the caller
// releases it.
func (s *Server) tenant(r *http.Request) (*tenancy.Tenant, error) {
	tok, err := token(r)
	if err != nil {
		return nil, err
	}
	tc, err := s.authContext(r, tok)
	if err != nil {
		if !isPgErr(err) {
			e := pgerr.New(pgerr.InvalidPassword, "invalid token")
			e.Err = err
			return nil, e
		}
		return nil, err
	}
	t, err := s.opts.Resolver.Resolve(r.Context(), tc)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// readQuery returns the query and queryType parameters from the URL (GET)
// or the JSON body (POST).
func (s *Server) readQuery(w http.ResponseWriter, r *http.Request) ([]byte, string, error) {
	switch r.Method {
	case http.MethodGet:
		v := r.URL.Query()
		return []byte(v.Get("query")), v.Get("queryType"), nil
	case http.MethodPost:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
		if err != nil {
			return nil, "", badQuery("request body too large or unreadable")
		}
		var req struct {
			Query     json.RawMessage `json:"query"`
			QueryType string          `json:"queryType"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, "", badQuery("invalid request body: %s", jsonMsg(err))
		}
		q := req.Query
		// A query sent as a JSON string holding JSON, as some clients do.
		var str string
		if json.Unmarshal(q, &str) == nil {
			q = []byte(str)
		}
		return q, req.QueryType, nil
	}
	return nil, "", errMethod
}

var errMethod = pgerr.New(pgerr.FeatureNotSupported, "method not allowed: use GET or POST")

// requestLike is what authContext needs of a request.
type requestLike interface{ Context() context.Context }
