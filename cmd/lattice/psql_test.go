package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/lattice-sql/lattice/examples/seed"
	"github.com/lattice-sql/lattice/schema"
)

// PostgreSQL is the reference for what psql shows: a real database holds
// tables that mirror app 1's cubes (same names, columns, types and primary
// keys), and psql's describe commands must print the same through Lattice
// as they print there.

const mirrorDB = "lattice_test_e2e_psql_mirror"

var cubeColumnTypes = map[string]string{
	"count": "bigint", "count_distinct": "bigint", "count_distinct_approx": "bigint",
	"string": "text", "number": "numeric", "time": "timestamp", "boolean": "boolean",
}

// mirrorDDL is the CREATE TABLE of each cube, columns in the order
// ARCHITECTURE §4 gives: measures, dimensions, segments, __user,
// __cubeJoinField.
func mirrorDDL(m *schema.Model) []string {
	var out []string
	for _, c := range m.Cubes {
		var cols, pks []string
		for _, ms := range c.Measures {
			typ, ok := cubeColumnTypes[string(ms.Type)]
			if !ok {
				typ = "numeric"
			}
			cols = append(cols, pgx.Identifier{ms.Name}.Sanitize()+" "+typ)
		}
		for _, d := range c.Dimensions {
			col := pgx.Identifier{d.Name}.Sanitize() + " " + cubeColumnTypes[string(d.Type)]
			if d.PrimaryKey {
				col += " NOT NULL"
				pks = append(pks, pgx.Identifier{d.Name}.Sanitize())
			}
			cols = append(cols, col)
		}
		for _, s := range c.Segments {
			cols = append(cols, pgx.Identifier{s.Name}.Sanitize()+" boolean")
		}
		cols = append(cols, `"__user" text`, `"__cubeJoinField" text`)
		if len(pks) > 0 {
			cols = append(cols, "PRIMARY KEY ("+strings.Join(pks, ", ")+")")
		}
		out = append(out, "CREATE TABLE "+pgx.Identifier{c.Name}.Sanitize()+" ("+strings.Join(cols, ", ")+")")
	}
	return out
}

func TestPsqlDescribeMatchesPostgres(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatal("psql is not installed (scripts/services.sh installs it)")
	}
	ctx := context.Background()
	root, _ := filepath.Abs("../../examples/seed/model/1")
	model, err := schema.Load(ctx, schema.DirRepository{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, s := range []string{"DROP DATABASE IF EXISTS " + mirrorDB + " WITH (FORCE)", "CREATE DATABASE " + mirrorDB} {
		if _, err := admin.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+mirrorDB+" WITH (FORCE)") })
	mirror, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres sslmode=disable dbname="+mirrorDB)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range mirrorDDL(model) {
		if _, err := mirror.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	mirror.Close(ctx)

	host, port, _ := strings.Cut(e2eAddr, ":")
	tok := token(t, seed.Tenants[0].Claims(), time.Hour)
	describe := func(conn, password, command string) string {
		cmd := exec.Command(psql, "-X", "-c", command, conn)
		cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("psql %s: %v\n%s", command, err, out)
		}
		return string(out)
	}
	for _, command := range []string{`\dn`, `\dt`, `\d`, `\di`, `\dv`, `\dm`, `\ds`, `\df`, `\d orders`, `\d+ orders`, `\d users`, `\d orders_pkey`} {
		want := describe(fmt.Sprintf("host=127.0.0.1 port=5432 user=postgres dbname=%s sslmode=disable", mirrorDB), "", command)
		got := describe(fmt.Sprintf("host=%s port=%s user=postgres dbname=%s sslmode=disable", host, port, mirrorDB), tok, command)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("psql %s: PostgreSQL (-) and Lattice (+) differ:\n%s", command, diff)
		}
	}
	// \l lists the servers' databases, which differ; it must still answer.
	if out := describe(fmt.Sprintf("host=%s port=%s user=postgres dbname=any sslmode=disable", host, port), tok, `\l`); !strings.Contains(out, "List of databases") {
		t.Errorf(`psql \l through Lattice: %s`, out)
	}
}
