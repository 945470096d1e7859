package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lattice-sql/lattice/examples/seed"
)

// The real clients are the judge of compatibility: each script under
// testdata/clients connects to the running Lattice as app 1 user 2 and
// prints "name<TAB>value" lines, compared here with what the model and the
// tenant's data say they must be.

const clientsDir = "../../testdata/clients"

func runClient(t *testing.T, name string, args ...string) map[string]string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = clientsDir
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %v: %v\nstdout:\n%s\nstderr:\n%s", name, args[:1], err, out, stderr)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(line, "\t")
		got[k] = v
	}
	return got
}

func countStatus(tn seed.Tenant, status string) int {
	n := 0
	for _, o := range tn.Orders() {
		if o.Status == status {
			n++
		}
	}
	return n
}

func TestPgJDBC(t *testing.T) {
	jar := "/usr/share/java/postgresql.jar"
	if _, err := os.Stat(jar); err != nil {
		t.Fatalf("pgjdbc is not installed (scripts/services.sh installs libpostgresql-jdbc-java): %v", err)
	}
	classes := t.TempDir()
	if out, err := exec.Command("javac", "-d", classes, filepath.Join(clientsDir, "ClientCheck.java")).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	tn := seed.Tenants[0]
	got := runClient(t, "java", "-cp", classes+":"+jar, "ClientCheck", e2eAddr, token(t, tn.Claims(), time.Hour))
	c, s := countStatus(tn, "completed"), countStatus(tn, "shipped")
	want := map[string]string{
		"product":               "PostgreSQL",
		"schemas":               "information_schema,pg_catalog,public",
		"catalogs":              "any",
		"tables":                "orders,users",
		"columns":               "count:int8,total_amount:numeric,average_amount:numeric,completed_count:int8,completed_ratio:numeric,id:numeric,status:text,amount:numeric,created_at:timestamp,completed:bool,__user:text,__cubeJoinField:text",
		"primary_keys":          "id",
		"imported_keys":         "",
		"exported_keys":         "",
		"index_info":            "orders_pkey",
		"type_info_has_numeric": "true",
		"prepared":              fmt.Sprintf("%d,%d,%d,%d,%d,%d,%d", c, s, c, s, c, s, c),
		"fetch_size_rows":       fmt.Sprint(len(tn.Orders())),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pgjdbc (-want +got):\n%s", diff)
	}
}

func TestSQLAlchemyAndPsycopg2(t *testing.T) {
	tn := seed.Tenants[0]
	// Debian's python3-psycopg2 and python3-sqlalchemy are only visible to
	// the system interpreter.
	got := runClient(t, "/usr/bin/python3", "sqlalchemy_check.py", e2eAddr, token(t, tn.Claims(), time.Hour))
	want := map[string]string{
		"schemas":      "public",
		"tables":       "orders,users",
		"views":        "",
		"columns":      "count:BIGINT,total_amount:NUMERIC,average_amount:NUMERIC,completed_count:BIGINT,completed_ratio:NUMERIC,id:NUMERIC,status:TEXT,amount:NUMERIC,created_at:TIMESTAMP,completed:BOOLEAN,__user:TEXT,__cubeJoinField:TEXT",
		"primary_key":  "id",
		"foreign_keys": "0",
		"indexes":      "0",
		"has_table":    "True,False",
		"bound_param":  fmt.Sprint(countStatus(tn, "completed")),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SQLAlchemy (-want +got):\n%s", diff)
	}
}

func TestNodePostgres(t *testing.T) {
	if _, err := os.Stat(filepath.Join(clientsDir, "node_modules", "pg")); err != nil {
		t.Fatalf("node-postgres is not installed (scripts/services.sh runs npm install): %v", err)
	}
	tn := seed.Tenants[1]
	got := runClient(t, "node", "node_check.js", e2eAddr, token(t, tn.Claims(), time.Hour))
	c, s := countStatus(tn, "completed"), countStatus(tn, "shipped")
	want := map[string]string{
		"param": fmt.Sprintf("completed=%d", c),
		"named": fmt.Sprintf("completed=%d,shipped=%d", c, s),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("node-postgres (-want +got):\n%s", diff)
	}
}
