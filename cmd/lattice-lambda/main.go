package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/lattice-sql/lattice/proxy/httpapi"
	"github.com/lattice-sql/lattice/proxy/metrics"
	"github.com/lattice-sql/lattice/tenancy"
)

// state is what a warm function keeps between invocations: the compiled
// models and backend pools live in the Manager.
type state struct {
	manager *tenancy.Manager
	api     *httpapi.Server
	adapter adapter
}

var (
	stateOnce sync.Once
	current   *state
	stateErr  error
)

// getState builds the state on the first invocation of a process.
func getState() (*state, error) {
	stateOnce.Do(func() { current, stateErr = build(os.Getenv, newLogger(os.Getenv("LATTICE_LOG_LEVEL"))) })
	return current, stateErr
}

func build(getenv func(string) string, logger *slog.Logger) (*state, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	verifier, err := tenancy.VerifierFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	manager, err := tenancy.NewManagerFromConfig(cfg, logger)
	if err != nil {
		return nil, err
	}
	// The Manager's Apps and pools become gauges through httpapi.New.
	api, err := httpapi.New(httpapi.Options{Logger: logger, Authenticator: verifier, Resolver: manager, Metrics: metrics.New(),
		QueryTimeout: cfg.Limits.StatementTimeout})
	if err != nil {
		manager.Close()
		return nil, err
	}
	return &state{manager: manager, api: api, adapter: adapter{h: api.Handler()}}, nil
}

// handle is the Lambda handler: any HTTP event kind in, its response out.
func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	st, err := getState()
	if err != nil {
		return nil, err
	}
	return st.adapter.Invoke(ctx, raw)
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

func main() { lambda.Start(handle) }
