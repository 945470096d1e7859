package main

import (
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lattice-sql/lattice/tenancy/config"
)

// loadConfig reads $LATTICE_CONFIG, or builds a single-backend config
// from Cube's environment variables when it is unset. Relative paths
// resolve against the config file's directory, or $LAMBDA_TASK_ROOT (the
// unpacked deployment package) for the environment form.
func loadConfig(getenv func(string) string) (*config.Config, error) {
	if path := getenv("LATTICE_CONFIG"); path != "" {
		if !strings.HasPrefix(path, "/") && getenv("LAMBDA_TASK_ROOT") != "" {
			path = getenv("LAMBDA_TASK_ROOT") + "/" + path
		}
		return config.Load(path)
	}
	data, err := envConfig(getenv)
	if err != nil {
		return nil, err
	}
	dir := getenv("LAMBDA_TASK_ROOT")
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	return config.Parse(data, dir)
}

// envConfig writes the config that Cube's variables describe:
// CUBEJS_API_SECRET, CUBEJS_DB_TYPE (default postgres), CUBEJS_DB_HOST,
// CUBEJS_DB_PORT, CUBEJS_DB_USER, CUBEJS_DB_PASS, CUBEJS_DB_NAME,
// CUBEJS_DB_SSL (true: sslmode require), CUBEJS_SCHEMA_PATH (default
// model), and Lattice's LATTICE_CONTEXT_TO_APP_ID. Values may hold
// {{ }} holes as in the file; ${ is kept literal.
func envConfig(getenv func(string) string) ([]byte, error) {
	if getenv("CUBEJS_API_SECRET") == "" {
		return nil, fmt.Errorf("lattice-lambda: set LATTICE_CONFIG to a config file, or CUBEJS_API_SECRET and the CUBEJS_DB_* variables")
	}
	lit := func(s string) string { return strings.ReplaceAll(s, "${", "$${") }
	dbType := getenv("CUBEJS_DB_TYPE")
	if dbType == "" {
		dbType = "postgres"
	}
	drv := map[string]string{}
	for key, env := range map[string]string{"host": "CUBEJS_DB_HOST", "port": "CUBEJS_DB_PORT", "user": "CUBEJS_DB_USER",
		"password": "CUBEJS_DB_PASS", "database": "CUBEJS_DB_NAME"} {
		if v := getenv(env); v != "" {
			drv[key] = lit(v)
		}
	}
	if getenv("CUBEJS_DB_SSL") == "true" {
		drv["sslmode"] = "require"
	}
	path := getenv("CUBEJS_SCHEMA_PATH")
	if path == "" {
		path = "model"
	}
	tenancy := map[string]any{
		"driver_factory":     map[string]any{dbType: drv},
		"repository_factory": map[string]string{"path": lit(path)},
	}
	if v := getenv("LATTICE_CONTEXT_TO_APP_ID"); v != "" {
		tenancy["context_to_app_id"] = lit(v)
	}
	doc := map[string]any{
		// The secret stays a reference, expanded at load like the file's.
		"auth":    map[string]any{"jwt": map[string]string{"secret": "${CUBEJS_API_SECRET}"}},
		"tenancy": tenancy,
	}
	return yaml.Marshal(doc)
}
