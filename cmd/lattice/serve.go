package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/catalog"
	"github.com/lattice-sql/lattice/proxy"
	"github.com/lattice-sql/lattice/proxy/httpapi"
	"github.com/lattice-sql/lattice/proxy/metrics"
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
	api     *httpapi.Server // nil when http.listen is empty
	apiAddr net.Addr
}

// Addr is the address the server listens on (known before Serve runs).
func (s *server) Addr() net.Addr { return s.addr }

// Close stops the listener, closes client connections and then every
// tenant's pool.
func (s *server) Close() error {
	err := s.Server.Close()
	if s.api != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s.api.Shutdown(ctx)
	}
	s.manager.Close()
	return err
}

// Shutdown stops accepting, waits for running statements and requests up
// to ctx's deadline, then closes every pool.
func (s *server) Shutdown(ctx context.Context) error {
	err := s.Server.Shutdown(ctx)
	if s.api != nil {
		err = errors.Join(err, s.api.Shutdown(ctx))
	}
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
	manager, err := tenancy.NewManagerFromConfig(cfg, logger)
	if err != nil {
		return nil, err
	}
	plans := planner.NewCache(planCacheSize)
	m := metrics.New() // one registry for both front ends
	srv, err := proxy.New(proxy.Options{
		Listen:               cfg.Listen,
		TLSConfig:            tlsConfig,
		AllowInsecure:        cfg.Auth.AllowInsecure,
		Logger:               logger,
		MaxConnections:       cfg.Limits.MaxConnections,
		MaxTenantConnections: cfg.Limits.MaxTenantConnections,
		MaxPortalBuffer:      int64(cfg.Limits.MaxPortalBuffer),
		StatementTimeout:     cfg.Limits.StatementTimeout,
		IdleTimeout:          cfg.Limits.IdleTimeout,
		Settings:             catalog.DefaultSettings(),
		Planner:              plans.Plan,
		Metrics:              m,
	}, verifier, manager)
	if err != nil {
		manager.Close()
		return nil, err
	}
	s := &server{Server: srv, manager: manager}
	var apiLn net.Listener
	if cfg.HTTP.Listen != "" {
		s.api, err = httpapi.New(httpapi.Options{
			Listen:        cfg.HTTP.Listen,
			Logger:        logger,
			Authenticator: verifier,
			Resolver:      manager,
			Metrics:       m,
			Planner:       plans.Plan,
			QueryTimeout:  cfg.Limits.StatementTimeout,
			MaxBodyBytes:  int64(cfg.HTTP.MaxBodyBytes),
			AllowOrigin:   cfg.HTTP.AllowOrigin,
			BasePath:      cfg.HTTP.BasePath,
		})
		if err == nil {
			apiLn, err = net.Listen("tcp", cfg.HTTP.Listen)
		}
		if err != nil {
			manager.Close()
			return nil, fmt.Errorf("http: %w", err)
		}
		s.apiAddr = apiLn.Addr()
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		if apiLn != nil {
			apiLn.Close()
		}
		manager.Close()
		return nil, err
	}
	s.addr = ln.Addr()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, proxy.ErrServerClosed) {
			logger.Error("serve", "err", err)
		}
	}()
	if apiLn != nil {
		go func() {
			if err := s.api.Serve(apiLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("http serve", "err", err)
			}
		}()
	}
	return s, nil
}
