package proxy

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"maps"
	"net"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lattice-sql/lattice/planner/catalog"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

// Startup request codes (the first int32 after the length).
const (
	codeSSLRequest    = 80877103
	codeGSSENCRequest = 80877104
	codeCancelRequest = 80877102
)

// maxPasswordMessage bounds the password message; tokens are far smaller.
const maxPasswordMessage = 64 << 10

// handleStartup runs the startup phase: encryption negotiation, the startup
// packet, cleartext password = JWT, tenant resolution, and the parameter
// report. It returns a *pgerr.Error (sent as FATAL) or an I/O error.
func (c *conn) handleStartup() error {
	deadline := time.Now().Add(c.srv.opts.StartupTimeout)
	c.nc.SetDeadline(deadline)
	defer c.nc.SetDeadline(time.Time{})

	var params map[string]string
	var minor uint32
	var unknownOpts []string
	tlsDone, gssDone := false, false
	for {
		code, body, err := readStartupPacket(c.nc)
		if err != nil {
			if pe := (*pgerr.Error)(nil); errors.As(err, &pe) {
				c.be = pgproto3.NewBackend(c.nc, c.nc)
			}
			return err
		}
		switch {
		case code == codeSSLRequest:
			if tlsDone || len(body) != 0 {
				c.be = pgproto3.NewBackend(c.nc, c.nc)
				return pgerr.Fatal(pgerr.ProtocolViolation, "unexpected SSL request")
			}
			tlsDone = true
			if c.srv.opts.TLSConfig == nil {
				if _, err := c.nc.Write([]byte{'N'}); err != nil {
					return err
				}
				continue
			}
			if _, err := c.nc.Write([]byte{'S'}); err != nil {
				return err
			}
			tc := tls.Server(c.nc, c.srv.opts.TLSConfig)
			if err := tc.HandshakeContext(context.Background()); err != nil {
				c.log.Debug("TLS handshake failed", "err", err)
				return err
			}
			c.nc = tc
			continue
		case code == codeGSSENCRequest:
			if gssDone || len(body) != 0 {
				c.be = pgproto3.NewBackend(c.nc, c.nc)
				return pgerr.Fatal(pgerr.ProtocolViolation, "unexpected GSSENC request")
			}
			gssDone = true
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return err
			}
			continue
		case code == codeCancelRequest:
			if len(body) < 8 || len(body) > 260 {
				return errors.New("malformed cancel request")
			}
			// A cancel connection gets no answer; it is closed.
			pid := binary.BigEndian.Uint32(body[:4])
			ok := c.srv.cancel(pid, body[4:])
			c.log.Debug("cancel request", "pid", pid, "matched", ok)
			return io.EOF
		}
		c.be = pgproto3.NewBackend(c.nc, c.nc)
		if debugDump {
			c.be.Trace(os.Stderr, pgproto3.TracerOptions{})
		}
		major := code >> 16
		minor = code & 0xffff
		if major != 3 {
			return pgerr.Fatal(pgerr.FeatureNotSupported, "unsupported frontend protocol %d.%d: server supports 3.0", major, minor)
		}
		params, unknownOpts, err = parseStartupParams(body)
		if err != nil {
			return err
		}
		break
	}
	c.be.SetMaxBodyLen(c.srv.opts.MaxMessageSize)

	if c.srv.opts.TLSConfig != nil && !c.srv.opts.AllowInsecure && !isTLS(c.nc) && !isLoopbackAddr(c.nc.RemoteAddr()) {
		return pgerr.Fatal(pgerr.InvalidAuthorization, "TLS is required: the password is a bearer token").
			WithHint("Connect with sslmode=require.")
	}
	if minor > 0 || len(unknownOpts) > 0 {
		// Newer 3.x clients fall back to 3.0 on this answer.
		c.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unknownOpts})
	}
	if params["replication"] != "" && params["replication"] != "false" && params["replication"] != "off" {
		return pgerr.Fatal(pgerr.FeatureNotSupported, "replication connections are not supported")
	}
	if max := c.srv.opts.MaxConnections; max > 0 {
		if c.srv.sessions.Add(1) > int64(max) {
			c.srv.sessions.Add(-1)
			return pgerr.Fatal(pgerr.TooManyConnections, "sorry, too many clients already")
		}
		c.counted = true
	}

	token, err := c.readPassword()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	tctx, err := c.srv.auth.Authenticate(ctx, token, params)
	if err != nil {
		// The reason goes to the log only; the client learns nothing.
		c.log.Info("authentication failed", "user", params["user"], "reason", err.Error())
		pe := pgerr.From(err)
		if pe.Code == pgerr.InternalError || pe.Code == pgerr.InvalidPassword {
			pe = pgerr.Fatal(pgerr.InvalidPassword, "password authentication failed for user %q", params["user"])
		}
		return asFatal(pe)
	}
	tenant, err := c.srv.resolver.Resolve(ctx, tctx)
	if err != nil {
		pe := pgerr.From(err)
		if pe.Code == pgerr.InternalError && errors.Is(err, context.DeadlineExceeded) {
			pe = pgerr.Wrap(err, pgerr.CannotConnectNow, "tenant could not be resolved in time")
		}
		return asFatal(pe)
	}
	if tenant == nil || tenant.App == nil || tenant.Driver == nil {
		if tenant != nil {
			tenant.Release()
		}
		return pgerr.Fatal(pgerr.InvalidAuthorization, "tenant could not be resolved")
	}
	if !c.srv.admitTenant(tenant.App.ID) {
		tenant.Release()
		return pgerr.Fatal(pgerr.TooManyConnections, "too many connections for this tenant")
	}
	if c.srv.opts.MaxTenantConnections > 0 {
		c.appSlotID = tenant.App.ID
	}
	d, err := dialect.ForDBType(tenant.DBType)
	if err != nil {
		tenant.Release()
		return asFatal(pgerr.From(err))
	}
	c.tctx, c.tenant, c.dialect = tctx, tenant, d
	c.types = pgtype.NewMap()
	catalog.RegisterTypes(c.types)
	c.initSession(params)
	if err := c.srv.register(c); err != nil {
		return pgerr.Wrap(err, pgerr.InternalError, "issuing backend key")
	}
	c.sess.BackendPID = int32(c.key.ProcessID)

	c.send(&pgproto3.AuthenticationOk{})
	for _, k := range reportedOrder {
		c.send(&pgproto3.ParameterStatus{Name: reported[k], Value: c.sess.Settings[k]})
	}
	c.send(&pgproto3.BackendKeyData{ProcessID: c.key.ProcessID, SecretKey: c.key.SecretKey})
	c.sendReady()
	return c.flush()
}

func asFatal(pe *pgerr.Error) *pgerr.Error {
	if pe.Severity == "FATAL" {
		return pe
	}
	cp := *pe
	cp.Severity = "FATAL"
	return &cp
}

func isTLS(nc net.Conn) bool {
	_, ok := nc.(*tls.Conn)
	return ok
}

// readStartupPacket reads one length-prefixed startup packet without
// buffering past it (so nothing sent before a TLS handshake is kept).
func readStartupPacket(r io.Reader) (code uint32, body []byte, err error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:4]); err != nil {
		return 0, nil, err
	}
	n := int64(int32(binary.BigEndian.Uint32(hdr[:4])))
	if n < 8 || n > maxStartupPacket {
		return 0, nil, pgerr.Fatal(pgerr.ProtocolViolation, "invalid length of startup packet")
	}
	if _, err := io.ReadFull(r, hdr[4:8]); err != nil {
		return 0, nil, err
	}
	body = make([]byte, n-8)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, err
	}
	return binary.BigEndian.Uint32(hdr[4:8]), body, nil
}

// parseStartupParams reads the NUL-terminated name/value pairs. Protocol
// options (_pq_.*) are returned separately: they are not supported.
func parseStartupParams(b []byte) (map[string]string, []string, error) {
	bad := pgerr.Fatal(pgerr.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte")
	if len(b) == 0 || b[len(b)-1] != 0 {
		return nil, nil, bad
	}
	params := map[string]string{}
	var opts []string
	b = b[:len(b)-1]
	for len(b) > 0 {
		i := bytes.IndexByte(b, 0)
		if i <= 0 {
			return nil, nil, bad
		}
		name := string(b[:i])
		b = b[i+1:]
		j := bytes.IndexByte(b, 0)
		if j < 0 {
			return nil, nil, bad
		}
		value := string(b[:j])
		b = b[j+1:]
		if strings.HasPrefix(name, "_pq_.") {
			opts = append(opts, name)
			continue
		}
		params[name] = value
	}
	if params["user"] == "" {
		return nil, nil, pgerr.Fatal(pgerr.InvalidAuthorization, "no PostgreSQL user name specified in startup packet")
	}
	return params, opts, nil
}

// readPassword asks for a cleartext password and reads it: the JWT.
func (c *conn) readPassword() (string, error) {
	c.send(&pgproto3.AuthenticationCleartextPassword{})
	if err := c.flush(); err != nil {
		return "", err
	}
	if err := c.be.SetAuthType(pgproto3.AuthTypeCleartextPassword); err != nil {
		return "", err
	}
	c.be.SetMaxBodyLen(maxPasswordMessage)
	defer c.be.SetMaxBodyLen(c.srv.opts.MaxMessageSize)
	msg, err := c.be.Receive()
	if err != nil {
		var tooBig *pgproto3.ExceededMaxBodyLenErr
		var ne net.Error
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &ne):
			return "", err
		case errors.As(err, &tooBig):
			return "", pgerr.Fatal(pgerr.ProtocolViolation, "password message too large")
		}
		return "", pgerr.Fatal(pgerr.ProtocolViolation, "invalid password message: %v", err)
	}
	pw, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return "", pgerr.Fatal(pgerr.ProtocolViolation, "expected password response, got message type %T", msg)
	}
	if pw.Password == "" {
		return "", pgerr.Fatal(pgerr.InvalidPassword, "empty password returned by client")
	}
	return pw.Password, nil
}

// initSession sets the session from the server defaults and the startup
// parameters that are settings (application_name, DateStyle, ...).
func (c *conn) initSession(params map[string]string) {
	settings := maps.Clone(c.srv.settings)
	for k, v := range params {
		k = strings.ToLower(k)
		if startupIgnored[k] || readOnly[k] {
			continue
		}
		if nv, err := normalizeSetting(k, v); err == nil {
			settings[k] = nv
		}
	}
	settings["session_authorization"] = params["user"]
	c.sess = session{
		defaults: maps.Clone(settings),
		tx:       txIdle,
	}
	c.sess.User = params["user"]
	c.sess.Database = params["database"]
	if c.sess.Database == "" {
		c.sess.Database = c.sess.User
	}
	c.sess.ApplicationName = settings["application_name"]
	c.sess.Settings = settings
}
