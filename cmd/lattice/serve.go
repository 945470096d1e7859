package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/catalog"
	"github.com/lattice-sql/lattice/proxy"
	"github.com/lattice-sql/lattice/tenancy"
	"github.com/lattice-sql/lattice/tenancy/config"
)

// planCacheSize bounds the plans kept across all tenants (each a few KB).
const planCacheSize = 4096

// server is a running Lattice: the proxy and the tenancy manager it owns.
type server struct {
	*proxy.Server
	manager *tenancy.Manager
	addr    net.Addr
}

// Addr is the address the server listens on (known before Serve runs).
func (s *server) Addr() net.Addr { return s.addr }

// Close stops the listener, closes client connections and then every
// tenant's pool.
func (s *server) Close() error {
	err := s.Server.Close()
	s.manager.Close()
	return err
}

func loadConfig(path string) (*config.Config, error) {
	return config.Load(path)
}

// startFromConfig is start for a config given as text, with relative paths
// resolved against dir; the end-to-end tests use it.
func startFromConfig(data []byte, dir string, logger *slog.Logger) (*server, error) {
	cfg, err := config.Parse(data, dir)
	if err != nil {
		return nil, err
	}
	return start(cfg, logger)
}

// start builds everything a config describes and starts listening; it is
// what `lattice serve` runs.
func start(cfg *config.Config, logger *slog.Logger) (*server, error) {
	hooks, err := tenancy.HooksFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	verifier, err := tenancy.VerifierFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	var tlsConfig *tls.Config
	if cfg.TLS.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLS.CertFile, cfg.TLS.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	manager := tenancy.NewManager(hooks, tenancy.ManagerOptions{
		MaxApps:    cfg.Tenancy.MaxApps,
		AppIdleTTL: cfg.Tenancy.AppIdleTTL,
		Logger:     logger,
	})
	srv, err := proxy.New(proxy.Options{
		Listen:           cfg.Listen,
		TLSConfig:        tlsConfig,
		AllowInsecure:    cfg.Auth.AllowInsecure,
		Logger:           logger,
		MaxConnections:   cfg.Limits.MaxConnections,
		StatementTimeout: cfg.Limits.StatementTimeout,
		IdleTimeout:      cfg.Limits.IdleTimeout,
		Settings:         catalog.DefaultSettings(),
		Planner:          planner.NewCache(planCacheSize).Plan,
	}, verifier, manager)
	if err != nil {
		manager.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		manager.Close()
		return nil, err
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, proxy.ErrServerClosed) {
			logger.Error("serve", "err", err)
		}
	}()
	return &server{Server: srv, manager: manager, addr: ln.Addr()}, nil
}
