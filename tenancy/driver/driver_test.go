package driver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// The tests run against the real servers of the brief: PostgreSQL on
// 127.0.0.1:5432 (user postgres) and MariaDB on 127.0.0.1:3306 (root).

const testDB = "lattice_test_tenancy_driver"

var backends = []Config{
	{Type: "postgres", Host: "127.0.0.1", Port: 5432, User: "postgres", Database: testDB},
	{Type: "mariadb", Host: "127.0.0.1", Port: 3306, User: "root", Database: testDB},
}

func TestMain(m *testing.M) {
	if err := setup(); err != nil {
		fmt.Fprintln(os.Stderr, "driver tests setup:", err)
		os.Exit(1)
	}
	code := m.Run()
	teardown()
	os.Exit(code)
}

// admin returns a driver on the server's default database.
func admin(typ string) (Driver, error) {
	for _, b := range backends {
		if b.Type == typ {
			b.Database = ""
			if typ == "postgres" {
				b.Database = "postgres"
			}
			return Open(b)
		}
	}
	return nil, errors.New("no backend " + typ)
}

func exec(d Driver, sql string, args ...any) error {
	return d.Query(context.Background(), sql, args, func([][]byte) error { return nil })
}

func setup() error {
	teardown()
	for _, b := range backends {
		a, err := admin(b.Type)
		if err != nil {
			return err
		}
		err = exec(a, "CREATE DATABASE "+testDB)
		a.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", b.Type, err)
		}
		d, err := Open(b)
		if err != nil {
			return err
		}
		defer d.Close()
		for _, q := range []string{
			"CREATE TABLE orders (id int PRIMARY KEY, status varchar(20), amount decimal(10,2), created_at timestamp NULL)",
			"INSERT INTO orders VALUES (1, 'shipped', 12.50, '2024-03-01 12:34:56'), (2, NULL, NULL, NULL)",
		} {
			if err := exec(d, q); err != nil {
				return fmt.Errorf("%s: %s: %w", b.Type, q, err)
			}
		}
	}
	return nil
}

func teardown() {
	for _, b := range backends {
		if a, err := admin(b.Type); err == nil {
			_ = exec(a, "DROP DATABASE IF EXISTS "+testDB)
			a.Close()
		}
	}
}

func open(t *testing.T, cfg Config) Driver {
	t.Helper()
	d, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// collect runs sql and returns the rows as strings, NULL as "<null>".
func collect(ctx context.Context, d Driver, sql string, args ...any) ([][]string, error) {
	var out [][]string
	err := d.Query(ctx, sql, args, func(values [][]byte) error {
		row := make([]string, len(values))
		for i, v := range values {
			if v == nil {
				row[i] = "<null>"
			} else {
				row[i] = string(v)
			}
		}
		out = append(out, row)
		return nil
	})
	return out, err
}

func TestQueryTextForms(t *testing.T) {
	tests := []struct {
		backend int
		sql     string
		args    []any
		want    [][]string
	}{
		{0, "SELECT id, status, amount, created_at FROM orders ORDER BY id", nil, [][]string{
			{"1", "shipped", "12.50", "2024-03-01 12:34:56"},
			{"2", "<null>", "<null>", "<null>"},
		}},
		{1, "SELECT id, status, amount, created_at FROM orders ORDER BY id", nil, [][]string{
			{"1", "shipped", "12.50", "2024-03-01 12:34:56"},
			{"2", "<null>", "<null>", "<null>"},
		}},
		{0, "SELECT 7::int8, 1.5::float8, true, DATE '2024-02-29', 'é'::text", nil, [][]string{{"7", "1.5", "t", "2024-02-29", "é"}}},
		{1, "SELECT 7, 1.5e0, TRUE, DATE '2024-02-29', 'é'", nil, [][]string{{"7", "1.5", "1", "2024-02-29", "é"}}},
		// Arguments travel separately from the SQL.
		{0, "SELECT count(*) FROM orders WHERE status = $1", []any{"shipped' OR '1'='1"}, [][]string{{"0"}}},
		{1, "SELECT count(*) FROM orders WHERE status = ?", []any{"shipped' OR '1'='1"}, [][]string{{"0"}}},
		{0, "SELECT amount, created_at FROM orders WHERE id = $1", []any{1}, [][]string{{"12.50", "2024-03-01 12:34:56"}}},
		{1, "SELECT amount, created_at, id + 1 FROM orders WHERE id = ?", []any{1}, [][]string{{"12.50", "2024-03-01 12:34:56", "2"}}},
	}
	for _, tt := range tests {
		b := backends[tt.backend]
		t.Run(b.Type+"/"+tt.sql, func(t *testing.T) {
			got, err := collect(context.Background(), open(t, b), tt.sql, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRowCallbackErrorStopsQuery(t *testing.T) {
	stop := errors.New("enough")
	for _, b := range backends {
		t.Run(b.Type, func(t *testing.T) {
			n := 0
			err := open(t, b).Query(context.Background(), "SELECT id FROM orders", nil, func([][]byte) error {
				n++
				return stop
			})
			if !errors.Is(err, stop) || n != 1 {
				t.Fatalf("got %v after %d rows, want the callback's error after 1", err, n)
			}
		})
	}
}

func TestErrorCodes(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(Config) Config
		sql  string
		code string
	}{
		{"closed port", func(c Config) Config { c.Port = 1; return c }, "SELECT 1", pgerr.ConnectionFailure},
		{"missing database", func(c Config) Config { c.Database = testDB + "_missing"; return c }, "SELECT 1", pgerr.InvalidCatalogName},
		{"missing table", func(c Config) Config { return c }, "SELECT * FROM nowhere", pgerr.UndefinedTable},
		{"missing column", func(c Config) Config { return c }, "SELECT colour FROM orders", pgerr.UndefinedColumn},
	}
	for _, b := range backends {
		for _, tt := range tests {
			t.Run(b.Type+"/"+tt.name, func(t *testing.T) {
				_, err := collect(context.Background(), open(t, tt.cfg(b)), tt.sql)
				var pe *pgerr.Error
				if !errors.As(err, &pe) || pe.Code != tt.code {
					t.Fatalf("got %#v, want SQLSTATE %s", err, tt.code)
				}
				// What a client sees never names the backend's address.
				if seen := pe.Message + pe.Detail + pe.Hint; strings.Contains(seen, b.Host) {
					t.Errorf("client-facing error names the backend host: %q", seen)
				}
			})
		}
	}
}

// running reports whether a query containing marker is still executing on
// the server. The marker is split in the probe so it never matches itself.
func running(t *testing.T, b Config, marker string) bool {
	t.Helper()
	a, err := admin(b.Type)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	half := len(marker) / 2
	probe := map[string]string{
		"postgres": "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%' || $1 || $2 || '%'",
		"mariadb":  "SELECT count(*) FROM information_schema.processlist WHERE command = 'Query' AND info LIKE CONCAT('%', ?, ?, '%')",
	}[b.Type]
	rows, err := collect(context.Background(), a, probe, marker[:half], marker[half:])
	if err != nil {
		t.Fatal(err)
	}
	return rows[0][0] != "0"
}

func sleepSQL(typ, marker string) string {
	if typ == "postgres" {
		return "SELECT pg_sleep(10) /* " + marker + " */"
	}
	return "SELECT SLEEP(10) /* " + marker + " */"
}

// waitGone polls until the marked query left the server, for at most 1s.
func waitGone(t *testing.T, b Config, marker string) {
	t.Helper()
	for deadline := time.Now().Add(time.Second); ; time.Sleep(50 * time.Millisecond) {
		if !running(t, b, marker) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cancelled query is still running on the %s server", b.Type)
		}
	}
}

func TestCancelFreesTheBackend(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Type, func(t *testing.T) {
			d := open(t, b)
			marker := fmt.Sprintf("lattice_cancel_%s_%d", b.Type, time.Now().UnixNano())
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(300*time.Millisecond, func() {
				if !running(t, b, marker) {
					t.Error("the query was not running before cancel")
				}
				cancel()
			})
			start := time.Now()
			_, err := collect(ctx, d, sleepSQL(b.Type, marker))
			if took := time.Since(start); took > 1500*time.Millisecond {
				t.Errorf("cancel took %v", took)
			}
			if code := pgerr.Code(err); code != pgerr.QueryCanceled {
				t.Fatalf("got %v (%s), want 57014", err, code)
			}
			waitGone(t, b, marker)
			// The pool still serves queries afterwards.
			if got, err := collect(context.Background(), d, "SELECT 1"); err != nil || got[0][0] != "1" {
				t.Fatalf("after cancel: %v %v", got, err)
			}
		})
	}
}

func TestTimeoutIsStatementTimeout(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Type, func(t *testing.T) {
			marker := fmt.Sprintf("lattice_timeout_%s_%d", b.Type, time.Now().UnixNano())
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			_, err := collect(ctx, open(t, b), sleepSQL(b.Type, marker))
			pe := pgerr.From(err)
			if pe.Code != pgerr.QueryCanceled || !strings.Contains(pe.Message, "timeout") {
				t.Fatalf("got %v, want 57014 statement timeout", err)
			}
			waitGone(t, b, marker)
		})
	}
}

func TestCloseEndsRunningQueries(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Type, func(t *testing.T) {
			d, err := Open(b)
			if err != nil {
				t.Fatal(err)
			}
			marker := fmt.Sprintf("lattice_close_%s_%d", b.Type, time.Now().UnixNano())
			done := make(chan error, 1)
			go func() {
				_, err := collect(context.Background(), d, sleepSQL(b.Type, marker))
				done <- err
			}()
			time.Sleep(300 * time.Millisecond)
			start := time.Now()
			d.Close()
			if took := time.Since(start); took > 1500*time.Millisecond {
				t.Errorf("Close took %v", took)
			}
			select {
			case err := <-done:
				if code := pgerr.Code(err); code != pgerr.AdminShutdown {
					t.Errorf("got %v (%s), want 57P01", err, code)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("the query outlived Close")
			}
			waitGone(t, b, marker)
		})
	}
}

func TestFingerprintCoversEveryField(t *testing.T) {
	base := Config{Type: "postgres", Host: "h", Port: 1, User: "u", Password: "p", Database: "d", SSLMode: "disable", MaxConns: 2}
	variants := []func(*Config){
		func(c *Config) { c.Type = "mysql" },
		func(c *Config) { c.Host = "h2" },
		func(c *Config) { c.Port = 2 },
		func(c *Config) { c.User = "u2" },
		func(c *Config) { c.Password = "p2" },
		func(c *Config) { c.Database = "d2" },
		func(c *Config) { c.SSLMode = "require" },
		func(c *Config) { c.MaxConns = 3 },
		// Shifting text between fields must not collide.
		func(c *Config) { c.User, c.Password = "up", "" },
	}
	seen := map[string]int{base.Fingerprint(): -1}
	for i, f := range variants {
		c := base
		f(&c)
		fp := c.Fingerprint()
		if j, ok := seen[fp]; ok {
			t.Errorf("variant %d has the fingerprint of %d", i, j)
		}
		seen[fp] = i
	}
	if base.Fingerprint() != base.Fingerprint() {
		t.Error("fingerprint is not deterministic")
	}
	if strings.Contains(base.String(), "p") && strings.Contains(base.String(), base.Password+"@") {
		t.Error("String shows the password")
	}
}

func TestOpenRejectsUnknownTypeAndSSLMode(t *testing.T) {
	if _, err := Open(Config{Type: "oracle"}); pgerr.Code(err) != pgerr.FeatureNotSupported {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := Open(Config{Type: "postgres", SSLMode: "prefer"}); pgerr.Code(err) != pgerr.InvalidParameterValue {
		t.Errorf("unknown sslmode: %v", err)
	}
}
