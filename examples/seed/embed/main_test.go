package main

import (
	"testing"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/tenancy"
)

// The Go hooks resolve the seed's tenants as the YAML config does, from
// claims as the verifier hands them over.
func TestHooksResolveTheSeedTenants(t *testing.T) {
	h := hooks("model")
	for _, tc := range []struct {
		claims         map[string]any
		app, db, dbTyp string
		port           int
	}{
		{map[string]any{"appId": int64(1), "userId": int64(2)}, "CUBEJS_APP_1_2", "my_app_1_2", "postgres", 5432},
		{map[string]any{"appId": int64(3), "userId": int64(7)}, "CUBEJS_APP_3_7", "my_app_3_7", "mongobi", 3306},
	} {
		c := &tenancy.Context{AuthInfo: tc.claims}
		app, err := h.ContextToAppID(c)
		typ, err2 := h.DBType(c)
		cfg, err3 := h.DriverFactory(c, typ)
		repo, err4 := h.RepositoryFactory(c)
		if err != nil || err2 != nil || err3 != nil || err4 != nil {
			t.Fatalf("%v: %v %v %v %v", tc.claims, err, err2, err3, err4)
		}
		if app != tc.app || typ != tc.dbTyp || cfg.Database != tc.db || cfg.Port != tc.port {
			t.Errorf("%v resolved to app %s, %s, %s:%d", tc.claims, app, typ, cfg.Database, cfg.Port)
		}
		if _, ok := repo.(schema.DirRepository); !ok {
			t.Errorf("repository %T", repo)
		}
	}
	if _, err := h.ContextToAppID(&tenancy.Context{AuthInfo: map[string]any{"appId": "1; DROP", "userId": int64(2)}}); err == nil {
		t.Error("a non-numeric appId was accepted")
	}
}
