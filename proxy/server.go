package proxy

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/proxy/metrics"
	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/tenancy"
)

// Authenticator verifies the password a client sent (a JWT) and builds the
// connection's tenancy context from its claims and the startup parameters.
// An error becomes FATAL 28P01 unless it is a *pgerr.Error with another code.
type Authenticator interface {
	Authenticate(ctx context.Context, token string, startup map[string]string) (*tenancy.Context, error)
}

// Resolver turns a tenancy context into the tenant that serves the
// connection (tenancy.Manager implements it). Errors should be *pgerr.Error
// (28000, 42P17, 08006, ...); they are sent as FATAL.
type Resolver interface {
	Resolve(ctx context.Context, c *tenancy.Context) (*tenancy.Tenant, error)
}

// PlanFunc plans SQL text against a model; planner.Plan is the default.
type PlanFunc = planner.PlanFunc

// Options configure a Server. The zero value of every field has a usable
// default except Listen, which only ListenAndServe needs.
type Options struct {
	// Listen is the TCP address for ListenAndServe, e.g. "127.0.0.1:15432".
	Listen string
	// TLSConfig enables TLS: SSLRequest is answered 'S'. Nil answers 'N'.
	TLSConfig *tls.Config
	// AllowInsecure lets the server listen on a non-loopback address without
	// TLS, and lets non-loopback clients connect without TLS. The password
	// is a bearer token, so this is off by default.
	AllowInsecure bool
	Logger        *slog.Logger
	// MaxConnections caps concurrent client sessions (FATAL 53300 beyond
	// it); 0 means no cap. Cancel requests are never counted.
	MaxConnections int
	// MaxTenantConnections caps the concurrent sessions of one App (by
	// AppID), so one tenant cannot take every slot (FATAL 53300); 0 means
	// no cap.
	MaxTenantConnections int
	// StatementTimeout cancels a statement that runs longer (57014); 0 is
	// no timeout.
	StatementTimeout time.Duration
	// IdleTimeout closes a session idle between messages for longer (FATAL
	// 57P05); 0 is no timeout.
	IdleTimeout time.Duration
	// WriteTimeout bounds each write to the client, so a client that stops
	// reading cannot hold a backend query forever; 0 is no timeout.
	WriteTimeout time.Duration
	// StartupTimeout bounds TLS handshake, startup and authentication;
	// 0 means 30s.
	StartupTimeout time.Duration
	// MaxMessageSize caps one frontend message after startup (08P01);
	// 0 means 64 MiB.
	MaxMessageSize int
	// Settings are the session defaults (SHOW, current_setting, reported
	// parameters), usually catalog.DefaultSettings(); keys are lowercase.
	// Built-in defaults fill the reported parameters that are missing.
	Settings map[string]string
	// Planner plans SQL; nil means planner.Plan.
	Planner PlanFunc
	// MaxPortalBuffer caps the bytes of result rows held for a portal
	// read in pieces (Execute with a row limit, FETCH from a cursor);
	// beyond it the statement fails with 54000 instead of growing without
	// bound. 0 means 256 MiB.
	MaxPortalBuffer int64
	// Metrics counts sessions, statements by outcome, and planning and
	// backend latency under frontend="pgwire"; nil counts nothing.
	Metrics *metrics.Metrics
}

const (
	defaultStartupTimeout = 30 * time.Second
	defaultMaxMessageSize = 64 << 20
	// maxStartupPacket is PostgreSQL's MAX_STARTUP_PACKET_LENGTH.
	maxStartupPacket = 10000
)

// A Server accepts PostgreSQL clients. One goroutine serves each
// connection; a panic in one connection ends that connection only.
type Server struct {
	opts     Options
	log      *slog.Logger
	auth     Authenticator
	resolver Resolver
	plan     PlanFunc
	settings map[string]string // defaults merged with Options.Settings

	sessions atomic.Int64 // sessions past startup, for MaxConnections

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	keys      map[uint32]*conn // BackendKeyData process id → connection
	perApp    map[string]int   // sessions by AppID, for MaxTenantConnections
	closed    bool
	wg        sync.WaitGroup
}

// defaultMaxPortalBuffer bounds one partially read result in memory.
const defaultMaxPortalBuffer = 256 << 20

// frontend is this server's label in the shared metrics.
const frontend = "pgwire"

// ErrServerClosed is returned by Serve after Close or Shutdown.
var ErrServerClosed = errors.New("proxy: server closed")

// New checks opts and returns a server. It refuses a configuration that
// would carry tokens in clear text over a non-loopback address: TLS or
// AllowInsecure is required then.
func New(opts Options, auth Authenticator, resolver Resolver) (*Server, error) {
	if auth == nil || resolver == nil {
		return nil, errors.New("proxy: an Authenticator and a Resolver are required")
	}
	if opts.Listen != "" {
		if err := checkInsecure(opts, opts.Listen); err != nil {
			return nil, err
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.StartupTimeout <= 0 {
		opts.StartupTimeout = defaultStartupTimeout
	}
	if opts.MaxPortalBuffer <= 0 {
		opts.MaxPortalBuffer = defaultMaxPortalBuffer
	}
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = defaultMaxMessageSize
	}
	s := &Server{
		opts:      opts,
		log:       opts.Logger,
		auth:      auth,
		resolver:  resolver,
		plan:      opts.Planner,
		settings:  mergeSettings(opts.Settings),
		listeners: map[net.Listener]struct{}{},
		conns:     map[*conn]struct{}{},
		keys:      map[uint32]*conn{},
		perApp:    map[string]int{},
	}
	if s.plan == nil {
		s.plan = planner.Plan
	}
	if m := opts.Metrics; m != nil {
		plan := s.plan
		s.plan = func(model *schema.Model, d dialect.Dialect, sql string, oids []uint32) ([]*planner.Statement, error) {
			start := time.Now()
			stmts, err := plan(model, d, sql, oids)
			m.ObservePlanning(frontend, time.Since(start))
			if err != nil {
				m.Query(frontend, err) // executed statements are counted where they run
			}
			return stmts, err
		}
	}
	return s, nil
}

// checkInsecure refuses clear-text tokens on a non-loopback address.
func checkInsecure(opts Options, addr string) error {
	if opts.TLSConfig != nil || opts.AllowInsecure {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("proxy: listen address %q: %w", addr, err)
	}
	if !isLoopbackHost(host) {
		return fmt.Errorf("proxy: refusing to listen on %s without TLS: passwords are bearer tokens; configure tls.cert_file/tls.key_file or set auth.allow_insecure: true", addr)
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func isLoopbackAddr(a net.Addr) bool {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return tcp.IP.IsLoopback()
	}
	if _, ok := a.(*net.UnixAddr); ok {
		return true
	}
	host, _, err := net.SplitHostPort(a.String())
	return err == nil && isLoopbackHost(host)
}

// ListenAndServe listens on Options.Listen and serves until Close.
func (s *Server) ListenAndServe() error {
	if s.opts.Listen == "" {
		return errors.New("proxy: Options.Listen is empty")
	}
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln until Close or Shutdown; it always
// returns a non-nil error (ErrServerClosed after Close).
func (s *Server) Serve(ln net.Listener) error {
	if !s.opts.AllowInsecure && s.opts.TLSConfig == nil && !isLoopbackAddr(ln.Addr()) {
		ln.Close()
		return fmt.Errorf("proxy: refusing to serve on %s without TLS: passwords are bearer tokens; configure tls.cert_file/tls.key_file or set auth.allow_insecure: true", ln.Addr())
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	s.log.Info("proxy listening", "addr", ln.Addr().String(), "tls", s.opts.TLSConfig != nil)

	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Transient (e.g. EMFILE): back off instead of spinning.
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", "err", err, "delay", delay)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		c := newConn(s, nc)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return ErrServerClosed
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.serve()
			s.forget(c)
		}()
	}
}

// Addr returns the address of the first listener, or nil before Serve.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ln := range s.listeners {
		return ln.Addr()
	}
	return nil
}

// Close stops accepting and closes every connection at once.
func (s *Server) Close() error {
	s.stopListening()
	s.mu.Lock()
	for c := range s.conns {
		c.closeNow()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// Shutdown stops accepting, tells idle sessions the server is shutting down
// (FATAL 57P01) and waits for running sessions until ctx ends, then closes
// what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopListening()
	s.mu.Lock()
	for c := range s.conns {
		c.shutdown()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.Close()
		return ctx.Err()
	}
}

func (s *Server) stopListening() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for ln := range s.listeners {
		ln.Close()
		delete(s.listeners, ln)
	}
}

func (s *Server) forget(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if c.key.ProcessID != 0 && s.keys[c.key.ProcessID] == c {
		delete(s.keys, c.key.ProcessID)
	}
}

// admitTenant takes a per-App session slot; false when the App is full.
func (s *Server) admitTenant(appID string) bool {
	limit := s.opts.MaxTenantConnections
	if limit <= 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perApp[appID] >= limit {
		return false
	}
	s.perApp[appID]++
	return true
}

func (s *Server) leaveTenant(appID string) {
	if s.opts.MaxTenantConnections <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perApp[appID]--; s.perApp[appID] <= 0 {
		delete(s.perApp, appID)
	}
}

// register issues c's BackendKeyData: a random, unused process id and a
// random secret.
func (s *Server) register(c *conn) error {
	secret := make([]byte, 4)
	var pid [4]byte
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if _, err := rand.Read(pid[:]); err != nil {
			return err
		}
		id := binary.BigEndian.Uint32(pid[:]) & 0x7fffffff // clients read it as int32
		if id == 0 || s.keys[id] != nil {
			continue
		}
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		c.key.ProcessID = id
		c.key.SecretKey = secret
		s.keys[id] = c
		return nil
	}
}

// cancel cancels the running statement of the connection whose key matches;
// a wrong key does nothing, as in PostgreSQL (the requester learns nothing).
func (s *Server) cancel(pid uint32, secret []byte) bool {
	s.mu.Lock()
	c := s.keys[pid]
	s.mu.Unlock()
	if c == nil {
		// Still compare, so timing does not tell whether pid exists.
		subtle.ConstantTimeCompare(secret, make([]byte, len(secret)))
		return false
	}
	if subtle.ConstantTimeCompare(c.key.SecretKey, secret) != 1 {
		return false
	}
	c.cancelStatement(errCanceledByUser)
	return true
}
