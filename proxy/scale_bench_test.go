package proxy

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy"
	"github.com/lattice-sql/lattice/tenancy/driver"
)

const productsCube = `
cubes:
  - name: products
    sql_table: products
    measures:
      - name: count
        type: count
      - name: avg_price
        type: avg
        sql: price
      - name: stock
        type: sum
        sql: stock
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: name
        sql: name
        type: string
      - name: category
        sql: category
        type: string
      - name: added_at
        sql: added_at
        type: time
`

// threeCubes is the seed's shop model (orders joined to users) plus a
// products cube.
func threeCubes(b *testing.B) schema.MemoryRepository {
	repo := schema.MemoryRepository{"products.yml": productsCube}
	for _, f := range []string{"orders.yml", "users.yml"} {
		data, err := os.ReadFile(filepath.Join("..", "examples", "seed", "model", "1", f))
		if err != nil {
			b.Fatal(err)
		}
		repo[f] = string(data)
	}
	return repo
}

// benchHooks serve App "app" claim with the three-cube model and a
// backend that needs no connection (recordingDriver), so that only the
// App and the proxy are measured.
func benchHooks(repo schema.Repository) tenancy.Hooks {
	return tenancy.Hooks{
		ContextToAppID: func(c *tenancy.Context) (string, error) {
			id, ok := c.AuthInfo["app"].(string)
			if !ok {
				return "", pgerr.Fatal(pgerr.InvalidAuthorization, "no app claim")
			}
			return id, nil
		},
		DBType: func(*tenancy.Context) (string, error) { return "postgres", nil },
		DriverFactory: func(c *tenancy.Context, typ string) (driver.Config, error) {
			return driver.Config{Type: typ, Host: "127.0.0.1", Database: "bench"}, nil
		},
		RepositoryFactory: func(*tenancy.Context) (schema.Repository, error) { return repo, nil },
	}
}

func benchManager(repo schema.Repository) *tenancy.Manager {
	return tenancy.NewManager(benchHooks(repo), tenancy.ManagerOptions{
		MaxApps:    100000,
		OpenDriver: func(driver.Config) (driver.Driver, error) { return &recordingDriver{}, nil },
	})
}

// heapInUse is the live heap plus goroutine stacks after a full GC.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc + ms.StackInuse
}

// BenchmarkAppMemory reports the memory of one resident App with a
// three-cube model, pools excluded: the heap growth over 1,000 Apps / 1,000.
// Target: under 100 KB per App.
func BenchmarkAppMemory(b *testing.B) {
	const n = 1000
	repo := threeCubes(b)
	ctx := context.Background()
	var perApp float64
	for b.Loop() {
		m := benchManager(repo)
		before := heapInUse()
		for i := range n {
			tn, err := m.Resolve(ctx, &tenancy.Context{AuthInfo: map[string]any{"app": fmt.Sprintf("APP_%d", i)}})
			if err != nil {
				b.Fatal(err)
			}
			if len(tn.App.Model.Cubes) != 3 {
				b.Fatalf("%d cubes", len(tn.App.Model.Cubes))
			}
			tn.Release()
		}
		after := heapInUse()
		if s := m.Stats(); s.Apps != n {
			b.Fatalf("%d Apps resident", s.Apps)
		}
		perApp = float64(after-before) / n
		runtime.KeepAlive(m)
		m.Close()
	}
	b.ReportMetric(perApp, "bytes/app")
}

// liveBench is a proxy over benchManager on loopback.
func liveBench(b *testing.B, m *tenancy.Manager) (addr string, secret []byte) {
	secret = []byte("lattice-bench-secret-0123456789abcdef0123456789")
	v, err := tenancy.NewVerifier(tenancy.VerifierOptions{Secret: secret})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{}, v, m)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go s.Serve(ln)
	b.Cleanup(func() { s.Close(); m.Close() })
	return ln.Addr().String(), secret
}

func benchToken(b *testing.B, secret []byte, app string) string {
	tok, err := tenancy.Sign(secret, "HS256", map[string]any{"app": app}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return tok
}

// BenchmarkFirstQuery is a new client's first query through the proxy,
// with an in-memory backend so that no backend connect is counted: on a
// cold App (its model compiled on the way) and on a warm one. The
// difference is what a cold App costs; the whole of "cold" is the
// figure to hold under 5 ms.
func BenchmarkFirstQuery(b *testing.B) {
	for _, cold := range []bool{true, false} {
		name := map[bool]string{true: "cold-app", false: "warm-app"}[cold]
		b.Run(name, func(b *testing.B) {
			addr, secret := liveBench(b, benchManager(threeCubes(b)))
			host, port, _ := net.SplitHostPort(addr)
			ctx := context.Background()
			i := 0
			// Tokens are signed outside the timed loop.
			tokens := map[int]string{}
			token := func(i int) string {
				if !cold {
					i = 0
				}
				if tokens[i] == "" {
					tokens[i] = benchToken(b, secret, fmt.Sprintf("APP_%d", i))
				}
				return tokens[i]
			}
			for i := range 1000 {
				token(i)
			}
			b.ReportAllocs()
			for b.Loop() {
				i++
				tok := token(i % 1000)
				if cold && i >= 1000 {
					b.StopTimer()
					tok = benchToken(b, secret, fmt.Sprintf("APP_%d", i))
					b.StartTimer()
				}
				c, err := pgconn.Connect(ctx, fmt.Sprintf("host=%s port=%s user=bi database=shop password=%s sslmode=disable", host, port, tok))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Exec(ctx, "SELECT status, MEASURE(count) FROM orders GROUP BY 1").ReadAll(); err != nil {
					b.Fatal(err)
				}
				c.Close(ctx)
			}
		})
	}
}

// raiseFileLimit makes room for n sockets on each side of a loopback
// connection.
func raiseFileLimit(b *testing.B, n uint64) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	if lim.Cur >= n {
		return
	}
	if lim.Max < n {
		b.Fatalf("open file limit %d (hard %d) is below the %d this benchmark needs", lim.Cur, lim.Max, n)
	}
	lim.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
}

// idleClient authenticates on a raw socket and keeps only the socket, so
// that the client side adds little to the measured memory.
func idleClient(addr, token string) (net.Conn, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "bi", "database": "shop"}})
	if err := fe.Flush(); err != nil {
		nc.Close()
		return nil, err
	}
	for {
		msg, err := fe.Receive()
		if err != nil {
			nc.Close()
			return nil, err
		}
		switch m := msg.(type) {
		case *pgproto3.AuthenticationCleartextPassword:
			fe.Send(&pgproto3.PasswordMessage{Password: token})
			if err := fe.Flush(); err != nil {
				nc.Close()
				return nil, err
			}
		case *pgproto3.ErrorResponse:
			nc.Close()
			return nil, fmt.Errorf("%s %s", m.Code, m.Message)
		case *pgproto3.ReadyForQuery:
			nc.SetDeadline(time.Time{})
			return nc, nil
		}
	}
}

// BenchmarkIdleConnections holds 1,000 authenticated idle client sessions
// through the proxy and reports the memory each costs (heap and stacks
// of both sides of the loopback connection; the client side is a bare
// socket).
func BenchmarkIdleConnections(b *testing.B) {
	const n = 1000
	raiseFileLimit(b, 2*n+256)
	addr, secret := liveBench(b, benchManager(threeCubes(b)))
	tok := benchToken(b, secret, "APP_IDLE")
	// Warm the App and the pool: they are not per connection.
	warm, err := idleClient(addr, tok)
	if err != nil {
		b.Fatal(err)
	}
	defer warm.Close()
	var perConn float64
	for b.Loop() {
		before := heapInUse()
		conns := make([]net.Conn, 0, n)
		for range n {
			c, err := idleClient(addr, tok)
			if err != nil {
				b.Fatalf("after %d connections: %v", len(conns), err)
			}
			conns = append(conns, c)
		}
		time.Sleep(50 * time.Millisecond) // let every session settle into its read loop
		after := heapInUse()
		perConn = float64(after-before) / n
		for _, c := range conns {
			c.Close()
		}
	}
	b.ReportMetric(perConn, "bytes/conn")
}
