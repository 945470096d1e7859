package tenancy

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/tenancy/config"
	"github.com/lattice-sql/lattice/tenancy/driver"
)

// These tests run the config-driven hooks and the Manager against the
// real PostgreSQL and MariaDB: every tenant must read its own database.

const integrationPrefix = "lattice_test_tenancy_"

var integrationTenants = []struct {
	typ, name string
}{
	{"postgres", "a"}, {"postgres", "b"}, {"mariadb", "c"},
}

func adminDriver(t *testing.T, typ string) driver.Driver {
	t.Helper()
	cfg := driver.Config{Type: typ, Host: "127.0.0.1", Port: 5432, User: "postgres", Database: "postgres"}
	if typ != "postgres" {
		cfg = driver.Config{Type: typ, Host: "127.0.0.1", Port: 3306, User: "root"}
	}
	d, err := driver.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func run(t *testing.T, d driver.Driver, sql string) {
	t.Helper()
	if err := d.Query(context.Background(), sql, nil, func([][]byte) error { return nil }); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// createTenantDatabases makes one database per tenant whose only row
// names the tenant, and drops them when the test ends.
func createTenantDatabases(t *testing.T) {
	for _, tn := range integrationTenants {
		db := integrationPrefix + tn.name
		a := adminDriver(t, tn.typ)
		run(t, a, "DROP DATABASE IF EXISTS "+db)
		run(t, a, "CREATE DATABASE "+db)
		t.Cleanup(func() {
			run(t, a, "DROP DATABASE IF EXISTS "+db)
			a.Close()
		})
		cfg := driver.Config{Type: tn.typ, Host: "127.0.0.1", Port: 5432, User: "postgres", Database: db}
		if tn.typ != "postgres" {
			cfg = driver.Config{Type: tn.typ, Host: "127.0.0.1", Port: 3306, User: "root", Database: db}
		}
		d, err := driver.Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		run(t, d, "CREATE TABLE owner (name varchar(10))")
		run(t, d, "INSERT INTO owner VALUES ('"+tn.name+"')")
		d.Close()
	}
}

func TestTenantsReadOnlyTheirOwnDatabase(t *testing.T) {
	createTenantDatabases(t)
	t.Setenv("CUBEJS_API_SECRET", "s")
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "model"), 0o755); err != nil {
		t.Fatal(err)
	}
	// One App for everyone: only the driver config tells tenants apart.
	cfg, err := config.Parse([]byte(`
tenancy:
  db_type: "{{ authInfo.tenant == 'c' ? 'mariadb' : 'postgres' }}"
  driver_factory:
    postgres:
      host: 127.0.0.1
      port: 5432
      user: postgres
      database: "`+integrationPrefix+`{{ authInfo.tenant }}"
    mariadb:
      host: 127.0.0.1
      port: "{{ 3306 }}"
      user: root
      database: "`+integrationPrefix+`{{ authInfo.tenant }}"
`), dir)
	if err != nil {
		t.Fatal(err)
	}
	hooks, err := HooksFromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := NewManager(hooks, ManagerOptions{LoadModel: func(context.Context, schema.Repository) (*schema.Model, error) {
		return &schema.Model{}, nil
	}})
	defer m.Close()
	seen := map[driver.Driver]string{}
	for round := 0; round < 2; round++ {
		for _, tn := range integrationTenants {
			ten, err := m.Resolve(context.Background(), &Context{AuthInfo: map[string]any{"tenant": tn.name}})
			if err != nil {
				t.Fatal(err)
			}
			if ten.DBType != tn.typ || ten.App.ID != "STANDALONE" {
				t.Errorf("tenant %s: db type %s app %s", tn.name, ten.DBType, ten.App.ID)
			}
			if owner, ok := seen[ten.Driver]; ok && owner != tn.name {
				t.Fatalf("tenants %s and %s share a pool", owner, tn.name)
			}
			seen[ten.Driver] = tn.name
			var got []string
			err = ten.Driver.Query(context.Background(), "SELECT name FROM owner", nil, func(v [][]byte) error {
				got = append(got, string(v[0]))
				return nil
			})
			if err != nil || len(got) != 1 || got[0] != tn.name {
				t.Errorf("tenant %s read %v (%v)", tn.name, got, err)
			}
			ten.Release()
		}
	}
	if len(seen) != len(integrationTenants) {
		t.Errorf("%d pools for %d tenants", len(seen), len(integrationTenants))
	}
	// A refused claim never reaches a database.
	_, err = m.Resolve(context.Background(), &Context{AuthInfo: map[string]any{"tenant": "a; DROP DATABASE x"}})
	wantRefused(t, err, "authInfo.tenant")
}

// The seed's config and models load through the real schema compiler.
func TestSeedModelsLoad(t *testing.T) {
	t.Setenv("CUBEJS_API_SECRET", "s")
	cfg, err := config.Load("../examples/seed/lattice.yml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewManagerFromConfig(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.opts.MaxApps != config.DefaultMaxApps || m.opts.AppIdleTTL != config.DefaultAppIdleTTL {
		t.Errorf("bounds not taken from the config: %+v", m.opts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	one, err := m.Resolve(ctx, &Context{AuthInfo: map[string]any{"appId": 1.0, "userId": 2.0}})
	if err != nil {
		t.Fatal(err)
	}
	two, err := m.Resolve(ctx, &Context{AuthInfo: map[string]any{"appId": 2.0, "userId": 5.0}})
	if err != nil {
		t.Fatal(err)
	}
	if one.App.ID != "CUBEJS_APP_1_2" || two.App.ID != "CUBEJS_APP_2_5" || len(one.App.Model.Cubes) == 0 {
		t.Fatalf("apps %s %s", one.App.ID, two.App.ID)
	}
	if one.App.Model.Cube("orders") == nil || two.App.Model.Cube("tickets") == nil || two.App.Model.Cube("orders") != nil {
		t.Error("app 2's model is not its own")
	}
}
