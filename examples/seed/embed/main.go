// Command embed is the seed's multitenancy example written in Go instead of
// YAML: the four hooks as plain functions, the way a Cube.js user passes
// them to new CubejsServer({...}). It serves the same tenants as
// ../lattice.yml:
//
//	CUBEJS_API_SECRET=secret go run ./examples/seed/embed
package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"github.com/lattice-sql/lattice/planner/catalog"
	"github.com/lattice-sql/lattice/proxy"
	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
	"github.com/lattice-sql/lattice/tenancy"
	"github.com/lattice-sql/lattice/tenancy/driver"
)

// claimInt reads an integral numeric claim (the verifier hands integral
// JSON numbers over as int64).
func claimInt(c *tenancy.Context, name string) (int, error) {
	switch v := c.AuthInfo[name].(type) {
	case int64:
		if v >= 0 {
			return int(v), nil
		}
	case float64:
		if v >= 0 && v == float64(int(v)) {
			return int(v), nil
		}
	}
	return 0, pgerr.Fatal(pgerr.InvalidAuthorization, "claim %s must be a non-negative integer", name)
}

func hooks(modelRoot string) tenancy.Hooks {
	ids := func(c *tenancy.Context) (app, user int, err error) {
		if app, err = claimInt(c, "appId"); err == nil {
			user, err = claimInt(c, "userId")
		}
		return app, user, err
	}
	return tenancy.Hooks{
		ContextToAppID: func(c *tenancy.Context) (string, error) {
			app, user, err := ids(c)
			return fmt.Sprintf("CUBEJS_APP_%d_%d", app, user), err
		},
		DBType: func(c *tenancy.Context) (string, error) {
			app, _, err := ids(c)
			if app == 3 {
				return "mongobi", err
			}
			return "postgres", err
		},
		DriverFactory: func(c *tenancy.Context, dbType string) (driver.Config, error) {
			app, user, err := ids(c)
			cfg := driver.Config{Type: dbType, Host: "127.0.0.1", Port: 5432, User: "postgres",
				Database: fmt.Sprintf("my_app_%d_%d", app, user)}
			if dbType == "mongobi" {
				cfg.Port, cfg.User = 3306, "root"
			}
			return cfg, err
		},
		RepositoryFactory: func(c *tenancy.Context) (schema.Repository, error) {
			app, _, err := ids(c)
			return schema.DirRepository{Root: filepath.Join(modelRoot, strconv.Itoa(app))}, err
		},
	}
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	secret := os.Getenv("CUBEJS_API_SECRET")
	if secret == "" {
		log.Error("set CUBEJS_API_SECRET")
		os.Exit(1)
	}
	verifier, err := tenancy.NewVerifier(tenancy.VerifierOptions{Secret: []byte(secret)})
	if err != nil {
		log.Error("verifier", "err", err)
		os.Exit(1)
	}
	manager := tenancy.NewManager(hooks("examples/seed/model"), tenancy.ManagerOptions{Logger: log})
	defer manager.Close()
	srv, err := proxy.New(proxy.Options{Listen: "127.0.0.1:15432", Logger: log, Settings: catalog.DefaultSettings()}, verifier, manager)
	if err != nil {
		log.Error("proxy", "err", err)
		os.Exit(1)
	}
	log.Info("serving the seed example", "listen", "127.0.0.1:15432")
	if err := srv.ListenAndServe(); err != nil {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
