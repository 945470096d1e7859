package proxy

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// panicCatcher counts recovered connection panics: the server survives
// them, so the fuzz targets look for them in the log.
type panicCatcher struct{ panics *atomic.Int64 }

func (h panicCatcher) Enabled(context.Context, slog.Level) bool { return true }
func (h panicCatcher) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		h.panics.Add(1)
	}
	return nil
}
func (h panicCatcher) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h panicCatcher) WithGroup(string) slog.Handler      { return h }

func encodeAll(t testing.TB, msgs ...pgproto3.FrontendMessage) []byte {
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// exchange sends b on a fresh connection (after a valid startup when
// authenticated), half-closes, and reads until the server closes. A server
// that neither answers nor closes within the deadline fails the test.
func exchange(t *testing.T, addr string, authenticated bool, b []byte) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	if authenticated {
		rc := &rawClient{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
		rc.startup()
	}
	if _, err := nc.Write(b); err != nil {
		return // the server may already have closed on a bad prefix
	}
	nc.(*net.TCPConn).CloseWrite()
	if _, err := io.Copy(io.Discard, nc); err != nil {
		var ne net.Error
		if ok := asNetErr(err, &ne); ok && ne.Timeout() {
			t.Fatalf("server hung on input %q", b)
		}
	}
}

func asNetErr(err error, ne *net.Error) bool {
	e, ok := err.(net.Error)
	if ok {
		*ne = e
	}
	return ok
}

func fuzzServer(f *testing.F, opts Options) (*testServer, *atomic.Int64) {
	panics := &atomic.Int64{}
	opts.Logger = slog.New(panicCatcher{panics})
	opts.StatementTimeout = time.Second
	return startServer(f, opts), panics
}

// FuzzFrontend feeds arbitrary bytes after a valid startup.
func FuzzFrontend(f *testing.F) {
	ts, panics := fuzzServer(f, Options{MaxMessageSize: 1 << 16})
	f.Add(encodeAll(f, &pgproto3.Query{String: "SELECT 1; SELECT * FROM orders"}))
	f.Add(encodeAll(f, &pgproto3.Query{String: "BEGIN; DECLARE c CURSOR FOR SELECT n FROM nums"}, &pgproto3.Query{String: "FETCH 2 FROM c"}))
	f.Add(encodeAll(f,
		&pgproto3.Parse{Name: "s", Query: "ECHO $1 $2 $3", ParameterOIDs: []uint32{20, 25, 1114}},
		&pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1, 0, 1},
			Parameters: [][]byte{{0, 0, 0, 0, 0, 0, 0, 1}, []byte("x"), {0, 0, 0, 0, 0, 0, 0, 1}}, ResultFormatCodes: []int16{1}},
		&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Sync{}))
	f.Add(encodeAll(f,
		&pgproto3.Parse{Query: "SELECT n FROM nums WHERE n < $1"},
		&pgproto3.Bind{DestinationPortal: "p", Parameters: [][]byte{[]byte("5")}},
		&pgproto3.Execute{Portal: "p", MaxRows: 2}, &pgproto3.Flush{}, &pgproto3.Execute{Portal: "p"},
		&pgproto3.Close{ObjectType: 'P', Name: "p"}, &pgproto3.Sync{}, &pgproto3.Terminate{}))
	f.Add([]byte{'B', 0, 0, 0, 12, 0, 0, 0xff, 0xff, 0, 0, 0, 0})
	f.Add([]byte{'Q', 0x7f, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		exchange(t, ts.addr, true, b)
		if n := panics.Load(); n > 0 {
			t.Fatalf("%d connection panics on input %q", n, b)
		}
	})
}

// FuzzStartup feeds arbitrary bytes as the startup packet.
func FuzzStartup(f *testing.F) {
	ts, panics := fuzzServer(f, Options{TLSConfig: selfSigned(f)})
	f.Add(startupPacket("user", "alice", "database", "shop"))
	f.Add(startupPacket("user", "alice", "_pq_.x", "1", "application_name", "a"))
	f.Add([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f})                          // SSLRequest
	f.Add([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30})                          // GSSENCRequest
	f.Add([]byte{0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 1, 1, 2, 3, 4}) // CancelRequest
	f.Add(append(startupPacket("user", "alice"), 'p', 0, 0, 0, 9, 'g', 'o', 'o', 'd', 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		exchange(t, ts.addr, false, b)
		if n := panics.Load(); n > 0 {
			t.Fatalf("%d connection panics on input %q", n, b)
		}
	})
}
