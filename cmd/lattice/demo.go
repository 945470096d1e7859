package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/lattice-sql/lattice/examples/demo"
	"github.com/lattice-sql/lattice/tenancy"
	"github.com/lattice-sql/lattice/tenancy/config"
)

// demoTokenTTL keeps the printed psql lines usable for a year.
const demoTokenTTL = 365 * 24 * time.Hour

// cmdDemo installs the demo tenants (models, SQLite files, config) into a
// data directory, loads that config like `lattice serve` does and serves
// it until SIGINT or SIGTERM. It needs no database server.
func cmdDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stderr)
	listen := fs.String("listen", "127.0.0.1:15432", "address of the Postgres listener")
	httpListen := fs.String("http-listen", config.DefaultHTTPListen, `address of the REST API ("" for none)`)
	dataDir := fs.String("data-dir", "", "where the demo's config, models and databases go (default: <user cache dir>/lattice-demo)")
	secret := fs.String("secret", "", "JWT secret (default: a random one kept in the data directory)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo takes no arguments, got %q", fs.Arg(0))
	}
	dir := *dataDir
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("no cache directory (%v): pass --data-dir", err)
		}
		dir = filepath.Join(cache, "lattice-demo")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("--listen %q: want host:port", *listen)
	}
	if *secret == "" {
		if *secret, err = demo.Secret(dir); err != nil {
			return fmt.Errorf("demo secret: %w", err)
		}
	}
	ctx := context.Background()
	cfgPath, err := demo.Install(ctx, dir, demo.Options{Listen: *listen, HTTPListen: *httpListen, Secret: *secret})
	if err != nil {
		return fmt.Errorf("installing the demo into %s: %w", dir, err)
	}
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return err
	}
	logger, err := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	srv, err := start(cfg, logger)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "listen" {
			return fmt.Errorf("%w (is something else using it? pick another address with --listen)", err)
		}
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()

	// Clients connect where the server listens; a wildcard address is
	// reachable on loopback.
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	port := strconv.Itoa(srv.Addr().(*net.TCPAddr).Port)
	fmt.Fprintf(stdout, "Lattice demo is listening on %s (config, models and data in %s).\n", net.JoinHostPort(host, port), dir)
	fmt.Fprintf(stdout, "Each tenant below has its own SQLite database and data model; its JWT is the password.\n")
	for _, t := range demo.Tenants() {
		tok, err := tenancy.Sign([]byte(*secret), "HS256", map[string]any{"tenant": t.Name}, demoTokenTTL)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nTenant %s (%s):\n\n", t.Name, t.Description)
		fmt.Fprintf(stdout, "  PGPASSWORD=%s psql \"host=%s port=%s user=demo dbname=demo sslmode=disable\"\n\n", tok, host, port)
		fmt.Fprintf(stdout, "  then try:\n")
		for _, q := range t.Examples {
			fmt.Fprintf(stdout, "    %s\n", q)
		}
	}
	fmt.Fprintf(stdout, "\nThe config is %s; `lattice serve --config` runs it too. Press Ctrl-C to stop.\n", cfgPath)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	<-sig
	logger.Info("shutting down")
	return nil
}
