package demo

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/tenancy/config"
)

func TestTenantsAreDeterministicAndDifferent(t *testing.T) {
	a, b := Tenants(), Tenants()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Tenants() changed between calls")
	}
	if len(a) < 2 {
		t.Fatalf("want at least two tenants, got %d", len(a))
	}
	names := map[string]bool{}
	for _, tn := range a {
		total := 0
		for _, tb := range tn.Tables {
			total += len(tb.Rows)
			if names[tb.Name] {
				t.Errorf("table %s exists in two tenants: their models should differ", tb.Name)
			}
			names[tb.Name] = true
			if len(tb.Rows) < 10 {
				t.Errorf("%s.%s has only %d rows", tn.Name, tb.Name, len(tb.Rows))
			}
		}
		if total < 300 {
			t.Errorf("tenant %s has only %d rows", tn.Name, total)
		}
	}
}

// TestInstall checks what `lattice demo` serves: the config loads with the
// production loader, every model compiles, and each database holds the
// generated rows. Installing twice gives the same data.
func TestInstall(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for range 2 {
		cfgPath, err := Install(ctx, dir, Options{Listen: "127.0.0.1:0", Secret: "a-demo-secret-that-is-long-enough-0123456789"})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(cfgPath)
		if err != nil {
			t.Fatalf("the demo config does not load: %v", err)
		}
		if got := cfg.Tenancy.DBType.Source; got != "sqlite" {
			t.Errorf("db_type = %q, want sqlite", got)
		}
		for _, tn := range Tenants() {
			m, err := schema.Load(ctx, schema.DirRepository{Root: filepath.Join(dir, "models", tn.Name)})
			if err != nil {
				t.Fatalf("model %s: %v", tn.Name, err)
			}
			db, err := sql.Open("sqlite", "file:"+DBPath(dir, tn.Name)+"?mode=ro")
			if err != nil {
				t.Fatal(err)
			}
			for _, tb := range tn.Tables {
				if m.Cube(tb.Name) == nil {
					t.Errorf("model %s has no cube for table %s", tn.Name, tb.Name)
				}
				var n int
				if err := db.QueryRow("SELECT count(*) FROM " + tb.Name).Scan(&n); err != nil {
					t.Fatalf("%s.%s: %v", tn.Name, tb.Name, err)
				}
				if n != len(tb.Rows) {
					t.Errorf("%s.%s has %d rows, want %d", tn.Name, tb.Name, n, len(tb.Rows))
				}
			}
			var mode string
			if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
				t.Errorf("%s journal mode %q (%v), want wal", tn.Name, mode, err)
			}
			db.Close()
		}
	}
	s1, err := Secret(dir)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Secret(dir)
	if err != nil || s1 != s2 || len(s1) < 32 {
		t.Errorf("Secret is not kept in the data dir: %q then %q (%v)", s1, s2, err)
	}
}
