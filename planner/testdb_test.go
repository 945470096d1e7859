package planner

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// testDatabases creates database name on PostgreSQL and on MariaDB, runs
// ddl there ({bool} and {ts} become each backend's types) and then rows,
// and drops both databases when the test ends. LATTICE_TEST_PG and
// LATTICE_TEST_MYSQL point at other servers.
func testDatabases(t *testing.T, ctx context.Context, name string, ddl, rows []string) (*pgx.Conn, *sql.DB) {
	t.Helper()
	pgURL, err := url.Parse(env("LATTICE_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"))
	if err != nil {
		t.Fatal(err)
	}
	pgAdmin := pgURL.String()
	pgURL.Path = "/" + name
	pg := createDatabase(t, ctx, "pgx", pgAdmin, pgURL.String(), " WITH (FORCE)", name, ddl, "TIMESTAMP", rows)
	conn, err := pg.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var pc *pgx.Conn
	if err := conn.Raw(func(c any) error { pc = c.(*stdlib.Conn).Conn(); return nil }); err != nil {
		t.Fatal(err)
	}
	myAdmin := env("LATTICE_TEST_MYSQL", "root@tcp(127.0.0.1:3306)/")
	my := createDatabase(t, ctx, "mysql", myAdmin, myAdmin+name+"?interpolateParams=true", "", name, ddl, "DATETIME", rows)
	return pc, my
}

func createDatabase(t *testing.T, ctx context.Context, driver, adminDSN, dsn, dropSuffix, name string, ddl []string, ts string, rows []string) *sql.DB {
	t.Helper()
	admin, err := sql.Open(driver, adminDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	for _, s := range []string{"DROP DATABASE IF EXISTS " + name + dropSuffix, "CREATE DATABASE " + name} {
		if _, err := admin.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", driver, err)
		}
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+dropSuffix); err != nil {
			t.Errorf("drop %s database: %v", driver, err)
		}
	})
	types := strings.NewReplacer("{bool}", "BOOLEAN", "{ts}", ts)
	for _, s := range ddl {
		if _, err := db.ExecContext(ctx, types.Replace(s)); err != nil {
			t.Fatalf("%s: %v", driver, err)
		}
	}
	for _, s := range rows {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", driver, err)
		}
	}
	return db
}
