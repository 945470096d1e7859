package proxy

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy"
)

// SQLSTATEs the proxy raises that pgerr does not name.
const (
	codeIdleSessionTimeout = "57P05"
	codeActiveSQLTx        = "25001"
	codeNoActiveSQLTx      = "25P01"
	codeInvalidBinary      = "22P03"
	codeCantChangeRuntime  = "55P02"
)

var (
	errCanceledByUser   = pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
	errStatementTimeout = pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")
)

// flushThreshold is how many bytes of DataRows are buffered before they are
// written, so large results stream with bounded memory.
const flushThreshold = 32 << 10

// conn is one client connection. Everything but the fields under mu is
// owned by the connection's goroutine.
type conn struct {
	srv *Server
	nc  net.Conn
	be  *pgproto3.Backend
	log *slog.Logger

	key       pgproto3.BackendKeyData
	counted   bool   // holds a MaxConnections slot
	appSlotID string // holds a MaxTenantConnections slot for this AppID

	tctx    *tenancy.Context
	tenant  *tenancy.Tenant
	dialect dialect.Dialect
	sess    session
	types   *pgtype.Map

	stmts   map[string]*prepared
	portals map[string]*portal
	cursors map[string]*portal

	ignoreTillSync bool
	unflushed      int

	mu         sync.Mutex
	stmtCancel context.CancelCauseFunc
	stopping   bool // Shutdown asked this connection to end when idle
	closing    bool // Close: the socket is closed
}

// prepared is a Parse result.
type prepared struct {
	sql       string
	stmt      *planner.Statement
	paramOIDs []uint32 // as described: planner's type, else the client's, else text
}

func newConn(s *Server, nc net.Conn) *conn {
	return &conn{
		srv:     s,
		nc:      nc,
		log:     s.log.With("remote", nc.RemoteAddr().String()),
		stmts:   map[string]*prepared{},
		portals: map[string]*portal{},
		cursors: map[string]*portal{},
	}
}

// serve runs the connection's state machine: startup, then one message at
// a time until Terminate, a FATAL error or a broken socket.
func (c *conn) serve() {
	defer func() {
		if c.counted {
			c.srv.sessions.Add(-1)
		}
		if c.appSlotID != "" {
			c.srv.leaveTenant(c.appSlotID)
		}
		if c.tenant != nil {
			c.tenant.Release()
		}
		c.nc.Close()
	}()
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("panic in connection", "panic", r, "stack", string(debug.Stack()))
			if c.be != nil {
				c.sendError(pgerr.Fatal(pgerr.InternalError, "internal error"))
				c.flush()
			}
		}
	}()
	if err := c.handleStartup(); err != nil {
		c.fail(err)
		return
	}
	c.srv.opts.Metrics.ConnOpened(frontend)
	defer c.srv.opts.Metrics.ConnClosed(frontend)
	c.log.Debug("session started", "user", c.sess.User, "database", c.sess.Database, "app", c.tenant.App.ID)
	for {
		msg, err := c.receive()
		if err != nil {
			c.fail(err)
			return
		}
		if c.ignoreTillSync {
			switch msg.(type) {
			case *pgproto3.Sync, *pgproto3.Terminate:
			default:
				continue
			}
		}
		if err := c.handle(msg); err != nil {
			if errors.Is(err, errTerminate) {
				return
			}
			c.fail(err)
			return
		}
	}
}

var errTerminate = errors.New("terminate")

// handle dispatches one frontend message. A returned error ends the
// connection; statement errors are answered inside.
func (c *conn) handle(msg pgproto3.FrontendMessage) error {
	var err error
	extended := true
	switch m := msg.(type) {
	case *pgproto3.Query:
		return c.handleQuery(m.String)
	case *pgproto3.Parse:
		err = c.handleParse(m)
	case *pgproto3.Bind:
		err = c.handleBind(m)
	case *pgproto3.Describe:
		err = c.handleDescribe(m)
	case *pgproto3.Execute:
		err = c.handleExecute(m)
	case *pgproto3.Close:
		err = c.handleClose(m)
	case *pgproto3.Sync:
		return c.handleSync()
	case *pgproto3.Flush:
		return c.flush()
	case *pgproto3.Terminate:
		return errTerminate
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// PostgreSQL ignores COPY messages outside COPY mode.
		return nil
	case *pgproto3.FunctionCall:
		extended = false
		err = pgerr.New(pgerr.FeatureNotSupported, "the function call protocol is not supported")
	default:
		return pgerr.Fatal(pgerr.ProtocolViolation, "unexpected message type %T", msg)
	}
	if err == nil {
		return nil
	}
	if isFatal(err) {
		return err
	}
	c.sendError(err)
	c.failTx()
	if extended {
		c.ignoreTillSync = true
	} else {
		c.sendReady()
		return c.flush()
	}
	return nil
}

// receive reads the next message, enforcing the idle timeout and Shutdown.
func (c *conn) receive() (pgproto3.FrontendMessage, error) {
	c.mu.Lock()
	if c.stopping {
		c.mu.Unlock()
		return nil, pgerr.Fatal(pgerr.AdminShutdown, "terminating connection due to administrator command")
	}
	if d := c.srv.opts.IdleTimeout; d > 0 {
		c.nc.SetReadDeadline(time.Now().Add(d))
	} else {
		c.nc.SetReadDeadline(time.Time{})
	}
	c.mu.Unlock()
	msg, err := c.be.Receive()
	if err == nil {
		return msg, nil
	}
	c.mu.Lock()
	stopping, closing := c.stopping, c.closing
	c.mu.Unlock()
	var ne net.Error
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	switch {
	case closing:
		return nil, io.EOF
	case stopping:
		return nil, pgerr.Fatal(pgerr.AdminShutdown, "terminating connection due to administrator command")
	case errors.As(err, &ne) && ne.Timeout():
		return nil, pgerr.Fatal(codeIdleSessionTimeout, "terminating connection due to idle-session timeout")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return nil, io.EOF
	case errors.As(err, &tooBig):
		return nil, pgerr.Fatal(pgerr.ProtocolViolation, "message of %d bytes exceeds the limit of %d", tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen)
	case errors.As(err, &ne):
		return nil, err
	}
	return nil, pgerr.Fatal(pgerr.ProtocolViolation, "invalid frontend message: %v", err)
}

// fail ends the connection for err: a *pgerr.Error is sent (as FATAL), an
// I/O error is only logged.
func (c *conn) fail(err error) {
	var pe *pgerr.Error
	if !errors.As(err, &pe) {
		if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
			c.log.Debug("connection closed", "err", err)
		}
		return
	}
	if c.be == nil {
		return
	}
	if pe.Severity != "FATAL" {
		cp := *pe
		cp.Severity = "FATAL"
		pe = &cp
	}
	c.sendError(pe)
	c.flush()
}

func isFatal(err error) bool {
	var pe *pgerr.Error
	if errors.As(err, &pe) {
		return pe.Severity == "FATAL" || pe.Severity == "PANIC"
	}
	var io ioError
	return errors.As(err, &io)
}

// ioError marks a failure to talk to the client: the connection is gone.
type ioError struct{ err error }

func (e ioError) Error() string { return e.err.Error() }
func (e ioError) Unwrap() error { return e.err }

// sendError is the one place an error becomes an ErrorResponse, and where
// client-facing errors are logged.
func (c *conn) sendError(err error) {
	pe := pgerr.From(err)
	sev := pe.Severity
	if sev == "" {
		sev = "ERROR"
	}
	level := slog.LevelDebug
	switch {
	case pe.Code == pgerr.InternalError:
		level = slog.LevelError
	case sev == "FATAL":
		level = slog.LevelInfo
	}
	if c.log.Enabled(context.Background(), level) {
		attrs := []any{"code", pe.Code, "severity", sev, "message", pe.Message}
		if pe.Err != nil && pe.Err.Error() != pe.Message {
			attrs = append(attrs, "cause", pe.Err.Error())
		}
		c.log.Log(context.Background(), level, "client error", attrs...)
	}
	if pe.Code == pgerr.InternalError && pe.Message == "" {
		pe = &pgerr.Error{Code: pe.Code, Severity: sev, Message: "internal error"}
	}
	c.be.Send(&pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                pe.Code,
		Message:             pe.Message,
		Detail:              pe.Detail,
		Hint:                pe.Hint,
		Position:            int32(pe.Position),
	})
}

// notice sends a WARNING NoticeResponse (BEGIN inside a transaction, ...).
func (c *conn) notice(code, msg string) {
	c.be.Send(&pgproto3.NoticeResponse{Severity: "WARNING", SeverityUnlocalized: "WARNING", Code: code, Message: msg})
}

func (c *conn) send(msg pgproto3.BackendMessage) { c.be.Send(msg) }

func (c *conn) flush() error {
	c.unflushed = 0
	if d := c.srv.opts.WriteTimeout; d > 0 {
		c.nc.SetWriteDeadline(time.Now().Add(d))
	}
	if err := c.be.Flush(); err != nil {
		return ioError{err}
	}
	return nil
}

// sentRow accounts for n bytes and flushes past the threshold.
func (c *conn) sentRow(n int) error {
	c.unflushed += n
	if c.unflushed >= flushThreshold {
		return c.flush()
	}
	return nil
}

func (c *conn) sendReady() {
	c.send(&pgproto3.ReadyForQuery{TxStatus: byte(c.sess.tx)})
}

// failTx marks an explicit transaction as failed after an error.
func (c *conn) failTx() {
	if c.sess.tx == txActive {
		c.sess.tx = txFailed
	}
}

// statementContext returns the context of one statement: cancelled by a
// CancelRequest, by the statement timeout and by Close.
func (c *conn) statementContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	var timer *time.Timer
	if d := c.statementTimeout(); d > 0 {
		timer = time.AfterFunc(d, func() { cancel(errStatementTimeout) })
	}
	c.mu.Lock()
	c.stmtCancel = cancel
	c.mu.Unlock()
	return ctx, func() {
		c.mu.Lock()
		c.stmtCancel = nil
		c.mu.Unlock()
		if timer != nil {
			timer.Stop()
		}
		cancel(context.Canceled)
	}
}

// statementTimeout is the shorter of SET statement_timeout and the
// server's limit: a client may tighten the limit, never lift it.
func (c *conn) statementTimeout() time.Duration {
	d := c.srv.opts.StatementTimeout
	if v, ok := c.sess.Settings["statement_timeout"]; ok {
		if s, ok := parseDurationSetting(v); ok && s > 0 && (d <= 0 || s < d) {
			d = s
		}
	}
	return d
}

// parseDurationSetting reads a PostgreSQL time setting: a number of
// milliseconds, or a number with a unit (ms, s, min, h).
func parseDurationSetting(v string) (time.Duration, bool) {
	v = strings.TrimSpace(strings.Trim(v, "'"))
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(v[:i], 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	unit := time.Millisecond
	switch strings.ToLower(strings.TrimSpace(v[i:])) {
	case "", "ms":
	case "s":
		unit = time.Second
	case "min":
		unit = time.Minute
	case "h":
		unit = time.Hour
	default:
		return 0, false
	}
	return time.Duration(n) * unit, true
}

func (c *conn) cancelStatement(cause error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmtCancel != nil {
		c.stmtCancel(cause)
	}
}

// shutdown ends the session at its next read (FATAL 57P01).
func (c *conn) shutdown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopping = true
	c.nc.SetReadDeadline(time.Now())
}

func (c *conn) closeNow() {
	c.mu.Lock()
	c.closing = true
	if c.stmtCancel != nil {
		c.stmtCancel(pgerr.Fatal(pgerr.AdminShutdown, "terminating connection due to administrator command"))
	}
	c.mu.Unlock()
	c.nc.Close()
}

// checkToken refuses statements once the token has expired: the session
// must not outlive it.
func (c *conn) checkToken() error {
	if exp := c.tctx.ExpiresAt; !exp.IsZero() && time.Now().After(exp) {
		return pgerr.Fatal(pgerr.InvalidPassword, "authentication token has expired").
			WithHint("Reconnect with a new token.")
	}
	return nil
}

// contextError turns a failure under a cancelled statement context into
// 57014 with the reason, whatever the driver reported.
func contextError(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || pgerr.Code(err) == pgerr.TooManyConnections { // no backend slot came in time (tenancy.max_backend_connections)
		return err
	}
	if cause := context.Cause(ctx); cause != nil {
		var pe *pgerr.Error
		if errors.As(cause, &pe) {
			return pe
		}
	}
	return errCanceledByUser
}

// debugDump is enabled by LATTICE_PROXY_TRACE=1: every message in and out
// is written to stderr in libpq's PQtrace format.
var debugDump = os.Getenv("LATTICE_PROXY_TRACE") == "1"
