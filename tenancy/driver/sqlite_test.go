package driver

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// liteFile creates a SQLite database with the same orders table as the
// server backends, written the way the demo writes its files (WAL).
func liteFile(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "orders.db")
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rwc&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT, amount REAL, created_at TEXT, stamped DATETIME, data BLOB)",
		"INSERT INTO orders VALUES (1, 'shipped', 12.5, '2024-03-01 12:34:56', '2024-03-01 12:34:56.25', x'6869'), (2, NULL, NULL, NULL, NULL, NULL)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return file
}

func TestSQLiteTextForms(t *testing.T) {
	d := open(t, Config{Type: "sqlite", Database: liteFile(t)})
	ctx := context.Background()
	for _, tc := range []struct {
		sql  string
		args []any
		want [][]string
	}{
		{"SELECT id, status, amount, created_at, stamped, data FROM orders ORDER BY id", nil, [][]string{
			{"1", "shipped", "12.5", "2024-03-01 12:34:56", "2024-03-01 12:34:56.25", "hi"},
			{"2", "<null>", "<null>", "<null>", "<null>", "<null>"},
		}},
		// 15 significant digits hide binary noise; no exponent ever.
		{"SELECT 0.1 + 0.2, 1e20, -2.5e-7, 3.0, 9007199254740993", nil, [][]string{{"0.3", "100000000000000000000", "-0.00000025", "3", "9007199254740993"}}},
		{"SELECT ?1, ?2, ?3, ?4, ?1 || ?2", []any{"a'b", int64(7), true, time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}, [][]string{{"a'b", "7", "1", "2024-03-01 12:00:00", "a'b7"}}},
		{"SELECT count(*) FROM orders WHERE created_at >= ?1", []any{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}, [][]string{{"1"}}},
		// PRAGMA case_sensitive_like is set on every pooled connection.
		{"SELECT 'Abc' LIKE 'a%', 'Abc' LIKE 'A%'", nil, [][]string{{"0", "1"}}},
	} {
		got, err := collect(ctx, d, tc.sql, tc.args...)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.sql, diff)
		}
	}
	if err := d.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestSQLiteErrorCodes(t *testing.T) {
	file := liteFile(t)
	d := open(t, Config{Type: "sqlite", Database: file})
	ctx := context.Background()
	for _, tc := range []struct{ sql, code string }{
		{"SELECT * FROM nope", pgerr.UndefinedTable},
		{"SELECT nope FROM orders", pgerr.UndefinedColumn},
		{"SELEC 1", pgerr.SyntaxError},
		{"SELECT nope(1)", pgerr.UndefinedFunction},
		{"SELECT count(count(*)) FROM orders", pgerr.GroupingError},
		{"DELETE FROM orders", pgerr.ReadOnlyTransaction},
		{"CREATE TABLE x (a int)", pgerr.ReadOnlyTransaction},
	} {
		_, err := collect(ctx, d, tc.sql)
		if got := pgerr.Code(err); got != tc.code {
			t.Errorf("%s: got %s (%v), want %s", tc.sql, got, err, tc.code)
		}
	}
	rows, err := collect(ctx, d, "SELECT count(*) FROM orders")
	if err != nil || rows[0][0] != "2" {
		t.Errorf("the refused writes changed the file: %v %v", rows, err)
	}
}

func TestSQLiteMissingFileIsNotCreated(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tenant_9.db")
	d := open(t, Config{Type: "sqlite", Database: file})
	ctx := context.Background()
	_, err := collect(ctx, d, "SELECT 1")
	if got := pgerr.Code(err); got != pgerr.InvalidCatalogName {
		t.Errorf("Query on a missing file: got %s (%v), want 3D000", got, err)
	}
	if got := pgerr.Code(d.Ping(ctx)); got != pgerr.InvalidCatalogName {
		t.Errorf("Ping on a missing file: got %s, want 3D000", got)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the driver created %s (%v)", file, err)
	}

	notDB := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(notDB, []byte("this is not a database, just some text that is long enough"), 0o644); err != nil {
		t.Fatal(err)
	}
	j := open(t, Config{Type: "sqlite", Database: notDB})
	if got := pgerr.Code(j.Ping(ctx)); got != pgerr.ConnectionFailure {
		t.Errorf("Ping on a non-database file: got %s, want 08006", got)
	}
	if _, err := Open(Config{Type: "sqlite"}); pgerr.Code(err) != pgerr.InvalidParameterValue {
		t.Errorf("Open without a path: got %v, want 22023", err)
	}
}

// slowLite runs for minutes unless interrupted.
const slowLite = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"

func TestSQLiteCancelAndClose(t *testing.T) {
	file := liteFile(t)
	d := open(t, Config{Type: "sqlite", Database: file})

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := collect(ctx, d, slowLite)
	if got := pgerr.Code(err); got != pgerr.QueryCanceled {
		t.Errorf("timed-out query: got %s (%v), want 57014", got, err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("the timed-out query took %s to stop", el)
	}

	c, err := Open(Config{Type: "sqlite", Database: file})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := collect(context.Background(), c, slowLite); done <- err }()
	time.Sleep(200 * time.Millisecond)
	c.Close()
	select {
	case err := <-done:
		if got := pgerr.Code(err); got != pgerr.AdminShutdown {
			t.Errorf("query ended by Close: got %s (%v), want 57P01", got, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the running query")
	}
}

func TestSQLiteRowErrorPassesThrough(t *testing.T) {
	d := open(t, Config{Type: "sqlite", Database: liteFile(t)})
	stop := errors.New("client went away")
	n := 0
	err := d.Query(context.Background(), "SELECT id FROM orders", nil, func([][]byte) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("got %v after %d rows, want the callback's error after 1", err, n)
	}
}
