package proxy

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy"
)

// fakeAuth accepts the token "good" (and "good:<ms>" that expires after
// that many milliseconds); anything else fails with a detailed reason
// that must never reach the client.
type fakeAuth struct{}

func (fakeAuth) Authenticate(ctx context.Context, token string, startup map[string]string) (*tenancy.Context, error) {
	tc := &tenancy.Context{
		AuthInfo:        map[string]any{"appId": 1},
		User:            startup["user"],
		Database:        startup["database"],
		ApplicationName: startup["application_name"],
	}
	switch {
	case token == "good":
		return tc, nil
	case strings.HasPrefix(token, "good:"):
		ms, _ := strconv.Atoi(strings.TrimPrefix(token, "good:"))
		tc.ExpiresAt = time.Now().Add(time.Duration(ms) * time.Millisecond)
		return tc, nil
	case token == "unresolvable":
		tc.AuthInfo["appId"] = -1
		return tc, nil
	}
	return nil, pgerr.Fatal(pgerr.InvalidPassword, "signature is invalid (secret detail)")
}

type fakeResolver struct{ driver *memDriver }

func (r fakeResolver) Resolve(ctx context.Context, c *tenancy.Context) (*tenancy.Tenant, error) {
	if c.AuthInfo["appId"] == -1 {
		return nil, pgerr.New(pgerr.InvalidAuthorization, "claim %q is not allowed", "appId")
	}
	return &tenancy.Tenant{App: &tenancy.App{ID: "APP_1"}, DBType: "postgres", Driver: r.driver}, nil
}

// memDriver is an in-memory backend: a few named "tables" answered as a
// PostgreSQL or MySQL server would print them.
type memDriver struct {
	mu      sync.Mutex
	queries []string
	nums    int // rows of the nums table
}

func (d *memDriver) Query(ctx context.Context, sql string, args []any, row func([][]byte) error) error {
	d.mu.Lock()
	d.queries = append(d.queries, sql)
	n := d.nums
	d.mu.Unlock()
	switch sql {
	case "orders":
		for _, r := range [][][]byte{
			{[]byte("shipped"), []byte("3"), []byte("12.50"), []byte("2024-01-02T03:04:05.000000"), []byte("1")},
			{[]byte("new"), []byte("1"), nil, []byte("2024-02-01 00:00:00"), []byte("0")},
		} {
			if err := row(r); err != nil {
				return err
			}
		}
		return nil
	case "nums":
		limit := int64(n + 1)
		if len(args) > 0 {
			limit = args[0].(int64)
		}
		buf := make([]byte, 0, 8)
		vals := [][]byte{nil}
		for i := 1; i <= n && int64(i) < limit; i++ {
			buf = strconv.AppendInt(buf[:0], int64(i), 10)
			vals[0] = buf
			if err := row(vals); err != nil {
				return err
			}
		}
		return nil
	case "sleep":
		<-ctx.Done()
		return fmt.Errorf("backend interrupted: %w", ctx.Err())
	case "fail":
		return pgerr.New(pgerr.UndefinedTable, "relation \"missing\" does not exist")
	}
	return fmt.Errorf("memDriver: unknown query %q", sql)
}

func (d *memDriver) Ping(context.Context) error { return nil }
func (d *memDriver) Close()                     {}

var (
	ordersCols = []planner.Column{
		{Name: "status", OID: pgtype.TextOID, TypeSize: -1, TypeMod: -1},
		{Name: "count", OID: pgtype.Int8OID, TypeSize: 8, TypeMod: -1},
		{Name: "amount", OID: pgtype.NumericOID, TypeSize: -1, TypeMod: -1},
		{Name: "created", OID: pgtype.TimestampOID, TypeSize: 8, TypeMod: -1},
		{Name: "ok", OID: pgtype.BoolOID, TypeSize: 1, TypeMod: -1},
	}
	numsCols = []planner.Column{{Name: "n", OID: pgtype.Int8OID, TypeSize: 8, TypeMod: -1}}
)

// fakePlan is a tiny planner for protocol tests: statements split on ';'
// and a fixed vocabulary.
func fakePlan(m *schema.Model, d dialect.Dialect, sql string, paramOIDs []uint32) ([]*planner.Statement, error) {
	var out []*planner.Statement
	for _, part := range strings.Split(sql, ";") {
		q := strings.TrimSpace(part)
		if q == "" {
			continue
		}
		st, err := fakePlanOne(q)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	if len(out) == 0 && strings.TrimSpace(sql) == "" {
		return nil, nil
	}
	if len(out) == 0 {
		return []*planner.Statement{{Kind: planner.KindEmpty}}, nil
	}
	return out, nil
}

func utility(k planner.UtilityKind, name string) *planner.Statement {
	return &planner.Statement{Kind: planner.KindUtility, Utility: &planner.Utility{Kind: k, Name: name}}
}

func fakePlanOne(q string) (*planner.Statement, error) {
	upper := strings.ToUpper(q)
	f := strings.Fields(q)
	switch {
	case upper == "SELECT * FROM ORDERS":
		return &planner.Statement{Kind: planner.KindBackend, Tag: "SELECT", Columns: ordersCols, SQL: "orders"}, nil
	case upper == "SELECT N FROM NUMS":
		return &planner.Statement{Kind: planner.KindBackend, Tag: "SELECT", Columns: numsCols, SQL: "nums"}, nil
	case upper == "SELECT N FROM NUMS WHERE N < $1":
		return &planner.Statement{Kind: planner.KindBackend, Tag: "SELECT", Columns: numsCols, SQL: "nums",
			Args: []int{0}, ParamOIDs: []uint32{pgtype.Int8OID}}, nil
	case upper == "SLEEP":
		return &planner.Statement{Kind: planner.KindBackend, Tag: "SELECT", Columns: numsCols, SQL: "sleep"}, nil
	case upper == "FAIL":
		return &planner.Statement{Kind: planner.KindBackend, Tag: "SELECT", Columns: numsCols, SQL: "fail"}, nil
	case upper == "SELECT 1":
		return &planner.Statement{Kind: planner.KindLocal, Tag: "SELECT",
			Columns: []planner.Column{{Name: "?column?", OID: pgtype.Int4OID}},
			Local:   func(*planner.Session, []any) ([][]any, error) { return [][]any{{int32(1)}}, nil }}, nil
	case strings.HasPrefix(upper, "ECHO"):
		// ECHO $1 $2: returns its parameters as (int8, text, timestamp).
		return &planner.Statement{Kind: planner.KindLocal, Tag: "SELECT",
			Columns: []planner.Column{
				{Name: "i", OID: pgtype.Int8OID}, {Name: "s", OID: pgtype.TextOID}, {Name: "t", OID: pgtype.TimestampOID},
			},
			ParamOIDs: []uint32{pgtype.Int8OID, 0, pgtype.TimestampOID},
			Local: func(_ *planner.Session, p []any) ([][]any, error) {
				return [][]any{{p[0], p[1], p[2]}}, nil
			}}, nil
	case upper == "PANIC":
		return &planner.Statement{Kind: planner.KindLocal, Tag: "SELECT", Columns: numsCols,
			Local: func(*planner.Session, []any) ([][]any, error) { panic("boom") }}, nil
	case upper == "BAD":
		return nil, pgerr.New(pgerr.SyntaxError, "syntax error at or near %q", "BAD").At(1)
	case upper == "BEGIN":
		return utility(planner.UtilityBegin, ""), nil
	case upper == "COMMIT":
		return utility(planner.UtilityCommit, ""), nil
	case upper == "ROLLBACK":
		return utility(planner.UtilityRollback, ""), nil
	case upper == "DISCARD ALL":
		return utility(planner.UtilityDiscardAll, ""), nil
	case f[0] == "SHOW" && len(f) == 2:
		name := strings.ToLower(f[1])
		return &planner.Statement{Kind: planner.KindLocal, Tag: "SHOW",
			Columns: []planner.Column{{Name: name, OID: pgtype.TextOID}},
			Local: func(s *planner.Session, _ []any) ([][]any, error) {
				return [][]any{{s.Settings[name]}}, nil
			}}, nil
	case f[0] == "SET" && len(f) == 4 && f[2] == "=":
		st := utility(planner.UtilitySet, f[1])
		st.Utility.Value = strings.Trim(f[3], "'")
		return st, nil
	case f[0] == "SET" && len(f) == 5 && f[1] == "LOCAL":
		st := utility(planner.UtilitySet, f[2])
		st.Utility.Value = strings.Trim(f[4], "'")
		st.Utility.Local = true
		return st, nil
	case f[0] == "RESET" && len(f) == 2:
		return utility(planner.UtilityReset, strings.ToLower(f[1])), nil
	case f[0] == "DEALLOCATE" && len(f) == 2:
		return utility(planner.UtilityDeallocate, f[1]), nil
	case f[0] == "DECLARE" && len(f) > 4:
		// DECLARE name CURSOR FOR <query>
		inner, err := fakePlanOne(strings.Join(f[4:], " "))
		if err != nil {
			return nil, err
		}
		st := utility(planner.UtilityDeclareCursor, f[1])
		st.Utility.Cursor = inner
		return st, nil
	case f[0] == "FETCH" && len(f) == 4:
		// FETCH n|ALL FROM name
		st := utility(planner.UtilityFetch, f[3])
		st.Utility.Count = -1
		if f[1] != "ALL" {
			n, _ := strconv.Atoi(f[1])
			st.Utility.Count = int64(n)
		}
		return st, nil
	case f[0] == "CLOSE" && len(f) == 2:
		return utility(planner.UtilityClose, f[1]), nil
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "fake planner: %q", q)
}

// testServer is an in-process proxy on 127.0.0.1:0.
type testServer struct {
	*Server
	driver *memDriver
	addr   string
	done   chan error
}

func startServer(t testing.TB, opts Options) *testServer {
	t.Helper()
	d := &memDriver{nums: 10}
	if opts.Planner == nil {
		opts.Planner = fakePlan
	}
	if opts.Logger == nil && testing.Verbose() {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s, err := New(opts, fakeAuth{}, fakeResolver{d})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: s, driver: d, addr: ln.Addr().String(), done: make(chan error, 1)}
	go func() { ts.done <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-ts.done; err != ErrServerClosed {
			t.Errorf("Serve returned %v", err)
		}
	})
	return ts
}

func (ts *testServer) connString(password string) string {
	host, port, _ := net.SplitHostPort(ts.addr)
	return fmt.Sprintf("host=%s port=%s user=alice database=shop password=%s sslmode=disable application_name=tests", host, port, password)
}

func (ts *testServer) connect(t testing.TB) *pgconn.PgConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pgconn.Connect(ctx, ts.connString("good"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// rawClient speaks the protocol message by message, to check exact
// sequences that drivers hide.
type rawClient struct {
	t  testing.TB
	nc net.Conn
	fe *pgproto3.Frontend
}

func (ts *testServer) raw(t testing.TB) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	rc := &rawClient{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
	return rc
}

// startup authenticates and reads up to ReadyForQuery.
func (rc *rawClient) startup() {
	rc.t.Helper()
	rc.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "alice", "database": "shop"}})
	rc.flush()
	if _, ok := rc.recv().(*pgproto3.AuthenticationCleartextPassword); !ok {
		rc.t.Fatal("expected AuthenticationCleartextPassword")
	}
	rc.fe.Send(&pgproto3.PasswordMessage{Password: "good"})
	rc.flush()
	for {
		if _, ok := rc.recv().(*pgproto3.ReadyForQuery); ok {
			return
		}
	}
}

func (rc *rawClient) flush() {
	rc.t.Helper()
	if err := rc.fe.Flush(); err != nil {
		rc.t.Fatal(err)
	}
}

func (rc *rawClient) recv() pgproto3.BackendMessage {
	rc.t.Helper()
	m, err := rc.fe.Receive()
	if err != nil {
		rc.t.Fatalf("receive: %v", err)
	}
	return m
}

// until reads messages up to and including ReadyForQuery (or an error on
// a closed connection) and summarises them one per line.
func (rc *rawClient) until() []string {
	rc.t.Helper()
	var out []string
	for {
		m, err := rc.fe.Receive()
		if err != nil {
			out = append(out, "<closed>")
			return out
		}
		out = append(out, summarize(m))
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			return out
		}
	}
}

func summarize(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.ReadyForQuery:
		return "ReadyForQuery " + string(m.TxStatus)
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.ErrorResponse:
		return fmt.Sprintf("ErrorResponse %s %s %s", m.Severity, m.Code, m.Message)
	case *pgproto3.NoticeResponse:
		return fmt.Sprintf("NoticeResponse %s %s", m.Code, m.Message)
	case *pgproto3.DataRow:
		vals := make([]string, len(m.Values))
		for i, v := range m.Values {
			if v == nil {
				vals[i] = "NULL"
			} else {
				vals[i] = string(v)
			}
		}
		return "DataRow " + strings.Join(vals, "|")
	case *pgproto3.RowDescription:
		names := make([]string, len(m.Fields))
		for i, f := range m.Fields {
			names[i] = fmt.Sprintf("%s:%d:%d", f.Name, f.DataTypeOID, f.Format)
		}
		return "RowDescription " + strings.Join(names, ",")
	case *pgproto3.ParameterDescription:
		return fmt.Sprint("ParameterDescription ", m.ParameterOIDs)
	case *pgproto3.ParameterStatus:
		return fmt.Sprintf("ParameterStatus %s=%s", m.Name, m.Value)
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", m), "*pgproto3.")
}

// writeRaw sends bytes as they are.
func (rc *rawClient) writeRaw(b []byte) {
	rc.t.Helper()
	if _, err := rc.nc.Write(b); err != nil {
		rc.t.Fatal(err)
	}
}

func startupPacket(params ...string) []byte {
	b := []byte{0, 0, 0, 0, 0, 3, 0, 0}
	for _, p := range params {
		b = append(append(b, p...), 0)
	}
	b = append(b, 0)
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

// readAll reads what the server sends until it closes the connection.
func (rc *rawClient) readAll() []byte {
	b, _ := io.ReadAll(rc.nc)
	return b
}

// selfSigned returns a TLS config with a fresh certificate for 127.0.0.1.
func selfSigned(t testing.TB) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "lattice test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}
