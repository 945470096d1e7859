// Command lattice runs the Lattice proxy and its tools.
//
//	lattice serve --config FILE       serve the config's tenants over the Postgres protocol
//	lattice demo [--listen ADDR]      serve two demo tenants on SQLite, no database server needed
//	lattice token --secret S CLAIMS   print a signed JWT for testing tenants
//	lattice validate --model DIR | --config FILE
//	lattice version
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/lattice-sql/lattice/tenancy"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `Lattice: a multi-tenant semantic layer behind the PostgreSQL wire protocol.

Usage:
  lattice serve [--config FILE] [--log-level L] [--log-format text|json]
  lattice demo [--listen 127.0.0.1:15432] [--data-dir DIR] [--secret S]
  lattice token --secret S [--alg HS256|HS384|HS512] [--ttl 30d] 'CLAIMS_JSON'
  lattice validate (--model DIR | --config FILE)
  lattice version

The config file may also be named by LATTICE_CONFIG. 'lattice CMD -h' shows a
command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(rest, stderr)
	case "demo":
		err = cmdDemo(rest, stdout, stderr)
	case "token":
		err = cmdToken(rest, stdout, stderr)
	case "validate":
		err = cmdValidate(rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "lattice", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "lattice: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintln(stderr, "lattice:", err)
		return 1
	}
}

// errUsage marks an error already reported by the flag package.
var errUsage = errors.New("usage")

// newFlagSet returns a command's flags; errors and -h go to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

func cmdServe(args []string, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	configPath := fs.String("config", os.Getenv("LATTICE_CONFIG"), "config file (default $LATTICE_CONFIG)")
	level := fs.String("log-level", "", "debug, info, warn or error (default: the config's, else info)")
	format := fs.String("log-format", "", "text or json (default: the config's, else text)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *configPath == "" {
		return errors.New("serve needs --config FILE (or LATTICE_CONFIG)")
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	logger, err := newLogger(stderr, firstOf(*level, cfg.Log.Level, "info"), firstOf(*format, cfg.Log.Format, "text"))
	if err != nil {
		return err
	}
	srv, err := start(cfg, logger)
	if err != nil {
		return err
	}
	logger.Info("lattice is listening", "addr", srv.Addr().String(), "version", version)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	logger.Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func cmdToken(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token", stderr)
	secret := fs.String("secret", os.Getenv("CUBEJS_API_SECRET"), "HMAC secret (default $CUBEJS_API_SECRET)")
	alg := fs.String("alg", "HS256", "HS256, HS384 or HS512")
	ttl := fs.String("ttl", "30d", "lifetime, e.g. 30d, 12h, 15m; 0 for no exp claim")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New(`token needs one argument, the claims as JSON, e.g. '{"appId":1,"userId":2}'`)
	}
	if *secret == "" {
		return errors.New("token needs --secret (or CUBEJS_API_SECRET)")
	}
	var claims map[string]any
	dec := json.NewDecoder(strings.NewReader(fs.Arg(0)))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return fmt.Errorf("claims are not a JSON object: %v", err)
	}
	for k, v := range claims { // keep integers integral in the token
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				claims[k] = i
			} else {
				f, _ := n.Float64()
				claims[k] = f
			}
		}
	}
	d, err := parseTTL(*ttl)
	if err != nil {
		return err
	}
	tok, err := tenancy.Sign([]byte(*secret), *alg, claims, d)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// parseTTL accepts Go durations plus a days suffix ("30d"), as jwt.sign's
// expiresIn does.
func parseTTL(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != days {
			return 0, fmt.Errorf("--ttl %q: want e.g. 30d, 12h or 15m", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("--ttl %q: want e.g. 30d, 12h or 15m", s)
	}
	return d, nil
}
