package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/lattice-sql/lattice/tenancy/driver"
)

// Config is a loaded Lattice config file. Paths in it are absolute.
type Config struct {
	File    string // the file it was loaded from, "" for Parse
	Dir     string // the directory relative paths resolve against
	Listen  string
	TLS     TLS
	Auth    Auth
	Tenancy Tenancy
	Limits  Limits
	Log     Log
	HTTP    HTTP
}

// HTTP configures the Cube-compatible REST API (proxy/httpapi).
type HTTP struct {
	Listen       string // "" disables it; default 127.0.0.1:4000
	AllowOrigin  string // CORS Access-Control-Allow-Origin; "" sends none
	MaxBodyBytes int    // 0 means the API's default
	BasePath     string // default /cubejs-api
}

// DefaultHTTPListen is where the REST API listens unless configured.
const DefaultHTTPListen = "127.0.0.1:4000"

// TLS is the listener's certificate; both empty means no TLS.
type TLS struct {
	CertFile string
	KeyFile  string
}

// Auth configures how clients authenticate.
type Auth struct {
	JWT JWT
	// AllowInsecure permits cleartext JWTs on a non-loopback listener
	// without TLS.
	AllowInsecure bool
}

// JWT configures token verification.
type JWT struct {
	Secret string // HMAC secret; defaults to $CUBEJS_API_SECRET without a JWK Set
	// JWKSFile or JWKSURL holds public keys (RS*, ES256/384, EdDSA).
	JWKSFile            string
	JWKSURL             string
	JWKSMaxAge          time.Duration // refetch a set older than this; 0 is the default
	JWKSRefetchInterval time.Duration // at most one fetch per interval for unknown kids
	// Algorithms defaults to the HMAC algs with a secret plus the
	// public-key algs with a JWK Set.
	Algorithms      []string
	Issuer          string
	Audience        string
	Leeway          time.Duration
	ClaimsNamespace string // when set, the claims under this key are authInfo
	RequireExp      bool   // refuse tokens without exp (default true)
	// MaxTokenLifetime refuses tokens whose exp is further away; 0 is no cap.
	MaxTokenLifetime time.Duration
}

// Tenancy holds the four hooks as templates.
type Tenancy struct {
	ContextToAppID    *Template
	DBType            *Template
	DriverFactory     map[string]*DriverTemplate // by dbType
	RepositoryFactory RepositoryFactory
	// SchemaVersion, when set, recompiles an App's model whenever its
	// value for a context changes (Cube's schemaVersion).
	SchemaVersion *Template
	MaxApps       int
	AppIdleTTL    time.Duration
	// MaxBackendConnections caps the queries running on backends across
	// every tenant's pool; 0 is no cap.
	MaxBackendConnections int
}

// DriverTemplate is one driver_factory entry; every field may hold holes.
type DriverTemplate struct {
	Type     string
	Line     int
	Host     *Template
	Port     *Template
	User     *Template
	Password *Template
	Database *Template
	SSLMode  *Template
	MaxConns *Template
}

// RepositoryFactory says where each tenant's model files live.
type RepositoryFactory struct {
	Path *Template // relative results are relative to Config.Dir
	// Root is the directory a rendered path must stay inside: the
	// directory of Path's literal prefix, resolved against Config.Dir.
	Root string
}

// Limits bound client sessions; zero means no limit.
type Limits struct {
	MaxConnections       int
	MaxTenantConnections int // per AppID
	MaxPortalBuffer      int // bytes held for a result read in pieces; 0 = the proxy's default
	StatementTimeout     time.Duration
	IdleTimeout          time.Duration
}

// Log configures the logger.
type Log struct {
	Level  string // debug, info, warn, error
	Format string // text, json
}

// Defaults that the file may override.
const (
	DefaultListen         = "127.0.0.1:15432"
	DefaultContextToAppID = "STANDALONE"
	DefaultRepositoryPath = "model"
	DefaultLeeway         = 5 * time.Second
	DefaultMaxApps        = 1000
	DefaultAppIdleTTL     = 30 * time.Minute
)

// DefaultAlgorithms are the JWT algorithms accepted with a secret unless
// configured; AsymmetricAlgorithms are added with a JWK Set.
var (
	DefaultAlgorithms    = []string{"HS256", "HS384", "HS512"}
	AsymmetricAlgorithms = []string{"RS256", "RS384", "RS512", "ES256", "ES384", "EdDSA"}
)

// An Error is a config problem at a line of the file.
type Error struct {
	File string
	Line int
	Key  string
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	case e.File != "":
		b.WriteString(e.File + ": ")
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Load reads and checks the config file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c, err := parse(data, filepath.Dir(abs), path)
	if err != nil {
		return nil, err
	}
	c.File = path
	return c, nil
}

// Parse checks a config given as bytes; relative paths resolve against
// dir. Like caddy, it decodes strictly, then provisions defaults and
// derived values, then validates, and stops at the first problem.
func Parse(data []byte, dir string) (*Config, error) { return parse(data, dir, "") }

func parse(data []byte, dir, file string) (*Config, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	d := &decoder{file: file}
	c := &Config{Dir: abs}
	var lines map[string]int
	if lines, err = d.decode(data, c); err != nil {
		return nil, err
	}
	if err := c.provision(); err != nil {
		return nil, err
	}
	if err := c.validate(lines, file); err != nil {
		return nil, err
	}
	return c, nil
}

// decoder walks yaml.v3 nodes strictly: unknown and duplicate keys,
// aliases and wrong kinds are errors with the line.
type decoder struct {
	file  string
	lines map[string]int // key path → line, for validation errors
}

func (d *decoder) errAt(n *yaml.Node, key string, format string, args ...any) error {
	return &Error{File: d.file, Line: n.Line, Key: key, Err: fmt.Errorf(format, args...)}
}

type fields map[string]func(key string, v *yaml.Node) error

func (d *decoder) mapping(n *yaml.Node, path string, fs fields) error {
	if isNull(n) {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		return d.errAt(n, path, "aliases are not supported")
	}
	if n.Kind != yaml.MappingNode {
		return d.errAt(n, path, "want a mapping")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := join(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			return d.errAt(k, path, "keys must be plain strings")
		}
		if k.Value == "<<" {
			return d.errAt(k, path, "merge keys are not supported")
		}
		if seen[k.Value] {
			return d.errAt(k, key, "duplicate key")
		}
		seen[k.Value] = true
		f, ok := fs[k.Value]
		if !ok {
			return d.errAt(k, key, "unknown key")
		}
		d.lines[key] = k.Line
		if err := f(key, v); err != nil {
			return err
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// raw returns a scalar's text without ${VAR} expansion.
func (d *decoder) raw(key string, n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", d.errAt(n, key, "want a single value")
	}
	if isNull(n) {
		return "", nil
	}
	return n.Value, nil
}

func (d *decoder) str(dst *string) func(string, *yaml.Node) error {
	return func(key string, n *yaml.Node) error {
		s, err := d.raw(key, n)
		if err != nil {
			return err
		}
		if *dst, err = expandEnv(s); err != nil {
			return d.errAt(n, key, "%v", err)
		}
		return nil
	}
}

func (d *decoder) integer(dst *int) func(string, *yaml.Node) error {
	return func(key string, n *yaml.Node) error {
		var s string
		if err := d.str(&s)(key, n); err != nil {
			return err
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			return d.errAt(n, key, "want a non-negative integer, got %q", s)
		}
		*dst = v
		return nil
	}
}

func (d *decoder) duration(dst *time.Duration) func(string, *yaml.Node) error {
	return func(key string, n *yaml.Node) error {
		var s string
		if err := d.str(&s)(key, n); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil || v < 0 {
			return d.errAt(n, key, "want a duration like \"30s\", got %q", s)
		}
		*dst = v
		return nil
	}
}

func (d *decoder) boolean(dst *bool) func(string, *yaml.Node) error {
	return func(key string, n *yaml.Node) error {
		var s string
		if err := d.str(&s)(key, n); err != nil {
			return err
		}
		switch s {
		case "true":
			*dst = true
		case "false":
			*dst = false
		default:
			return d.errAt(n, key, "want true or false, got %q", s)
		}
		return nil
	}
}

func (d *decoder) strings(dst *[]string) func(string, *yaml.Node) error {
	return func(key string, n *yaml.Node) error {
		if n.Kind != yaml.SequenceNode {
			return d.errAt(n, key, "want a list")
		}
		*dst = []string{}
		for _, e := range n.Content {
			var s string
			if err := d.str(&s)(key, e); err != nil {
				return err
			}
			*dst = append(*dst, s)
		}
		return nil
	}
}

func (d *decoder) template(dst **Template) func(string, *yaml.Node) error {
	return func(key string, n *yaml.Node) error {
		s, err := d.raw(key, n)
		if err != nil {
			return err
		}
		if *dst, err = compileTemplate(key, n.Line, s); err != nil {
			return d.errAt(n, key, "%v", err)
		}
		return nil
	}
}

func (d *decoder) decode(data []byte, c *Config) (map[string]int, error) {
	d.lines = map[string]int{}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: d.file, Err: errors.New("empty config")}
		}
		return nil, &Error{File: d.file, Err: err}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{File: d.file, Line: extra.Line, Err: errors.New("only one YAML document is allowed")}
	}
	root := doc.Content[0]
	t := &c.Tenancy
	t.MaxApps, t.AppIdleTTL = -1, -1 // unset: provision picks the defaults
	c.Auth.JWT.RequireExp = true
	var (
		hasSecret, hasAlgs bool
		hasHTTPListen      bool
		leeway             = DefaultLeeway
	)
	err := d.mapping(root, "", fields{
		"listen": d.str(&c.Listen),
		"tls": func(k string, n *yaml.Node) error {
			return d.mapping(n, k, fields{"cert_file": d.str(&c.TLS.CertFile), "key_file": d.str(&c.TLS.KeyFile)})
		},
		"auth": func(k string, n *yaml.Node) error {
			return d.mapping(n, k, fields{
				"allow_insecure": d.boolean(&c.Auth.AllowInsecure),
				"jwt": func(k string, n *yaml.Node) error {
					j := &c.Auth.JWT
					return d.mapping(n, k, fields{
						"secret":                func(k string, n *yaml.Node) error { hasSecret = true; return d.str(&j.Secret)(k, n) },
						"algorithms":            func(k string, n *yaml.Node) error { hasAlgs = true; return d.strings(&j.Algorithms)(k, n) },
						"issuer":                d.str(&j.Issuer),
						"audience":              d.str(&j.Audience),
						"leeway":                d.duration(&leeway),
						"claims_namespace":      d.str(&j.ClaimsNamespace),
						"require_exp":           d.boolean(&j.RequireExp),
						"max_token_lifetime":    d.duration(&j.MaxTokenLifetime),
						"jwks_file":             d.str(&j.JWKSFile),
						"jwks_url":              d.str(&j.JWKSURL),
						"jwks_max_age":          d.duration(&j.JWKSMaxAge),
						"jwks_refetch_interval": d.duration(&j.JWKSRefetchInterval),
					})
				},
			})
		},
		"tenancy": func(k string, n *yaml.Node) error {
			return d.mapping(n, k, fields{
				"context_to_app_id": d.template(&t.ContextToAppID),
				"db_type":           d.template(&t.DBType),
				"driver_factory":    func(k string, n *yaml.Node) error { return d.driverFactory(k, n, t) },
				"repository_factory": func(k string, n *yaml.Node) error {
					return d.mapping(n, k, fields{"path": d.template(&t.RepositoryFactory.Path)})
				},
				"schema_version":          d.template(&t.SchemaVersion),
				"max_apps":                d.integer(&t.MaxApps),
				"app_idle_ttl":            d.duration(&t.AppIdleTTL),
				"max_backend_connections": d.integer(&t.MaxBackendConnections),
			})
		},
		"limits": func(k string, n *yaml.Node) error {
			l := &c.Limits
			return d.mapping(n, k, fields{
				"max_connections":        d.integer(&l.MaxConnections),
				"max_tenant_connections": d.integer(&l.MaxTenantConnections),
				"max_portal_buffer":      d.integer(&l.MaxPortalBuffer),
				"statement_timeout":      d.duration(&l.StatementTimeout),
				"idle_timeout":           d.duration(&l.IdleTimeout),
			})
		},
		"http": func(k string, n *yaml.Node) error {
			h := &c.HTTP
			return d.mapping(n, k, fields{
				"listen": func(k string, n *yaml.Node) error {
					hasHTTPListen = true // an explicit "" disables the API
					return d.str(&h.Listen)(k, n)
				},
				"allow_origin":   d.str(&h.AllowOrigin),
				"max_body_bytes": d.integer(&h.MaxBodyBytes),
				"base_path":      d.str(&h.BasePath),
			})
		},
		"log": func(k string, n *yaml.Node) error {
			return d.mapping(n, k, fields{"level": d.str(&c.Log.Level), "format": d.str(&c.Log.Format)})
		},
	})
	if err != nil {
		return nil, err
	}
	c.Auth.JWT.Leeway = leeway
	if !hasHTTPListen {
		c.HTTP.Listen = DefaultHTTPListen
	}
	j := &c.Auth.JWT
	jwks := j.JWKSFile != "" || j.JWKSURL != ""
	// With a JWK Set, an HMAC secret must be written in the file: one
	// left in the environment must not quietly enable HS tokens.
	if (!hasSecret || j.Secret == "") && !jwks {
		j.Secret = os.Getenv("CUBEJS_API_SECRET")
	}
	if !hasAlgs {
		if j.Secret != "" {
			j.Algorithms = slices.Clone(DefaultAlgorithms)
		}
		if jwks {
			j.Algorithms = append(j.Algorithms, AsymmetricAlgorithms...)
		}
	}
	return d.lines, nil
}

func (d *decoder) driverFactory(key string, n *yaml.Node, t *Tenancy) error {
	if n.Kind != yaml.MappingNode {
		return d.errAt(n, key, "want a mapping of database types")
	}
	t.DriverFactory = map[string]*DriverTemplate{}
	types := map[string]bool{}
	for _, typ := range driver.Types() {
		types[typ] = true
	}
	fs := fields{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		typ := n.Content[i].Value
		if !types[typ] {
			return d.errAt(n.Content[i], join(key, typ), "unknown database type (want one of %s)", strings.Join(driver.Types(), ", "))
		}
		fs[typ] = func(k string, v *yaml.Node) error {
			dt := &DriverTemplate{Type: typ, Line: n.Content[i].Line}
			t.DriverFactory[typ] = dt
			return d.mapping(v, k, fields{
				"host":      d.template(&dt.Host),
				"port":      d.template(&dt.Port),
				"user":      d.template(&dt.User),
				"password":  d.template(&dt.Password),
				"database":  d.template(&dt.Database),
				"sslmode":   d.template(&dt.SSLMode),
				"max_conns": d.template(&dt.MaxConns),
			})
		}
	}
	return d.mapping(n, key, fs)
}

// provision fills defaults and derived values.
func (c *Config) provision() error {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	c.TLS.CertFile = c.abs(c.TLS.CertFile)
	c.TLS.KeyFile = c.abs(c.TLS.KeyFile)
	c.Auth.JWT.JWKSFile = c.abs(c.Auth.JWT.JWKSFile)
	t := &c.Tenancy
	if t.ContextToAppID == nil {
		t.ContextToAppID = Const(DefaultContextToAppID)
	}
	if t.DBType == nil && len(t.DriverFactory) == 1 {
		for typ := range t.DriverFactory {
			t.DBType = Const(typ)
		}
	}
	if t.RepositoryFactory.Path == nil {
		t.RepositoryFactory.Path = Const(DefaultRepositoryPath)
	}
	prefix := t.RepositoryFactory.Path.LiteralPrefix()
	if t.RepositoryFactory.Path.IsConst() {
		t.RepositoryFactory.Root = c.abs(prefix)
	} else {
		// The root is the last directory the operator wrote in full.
		dir := prefix[:strings.LastIndexByte(prefix, '/')+1]
		t.RepositoryFactory.Root = filepath.Clean(filepath.Join(c.Dir, dir))
		if filepath.IsAbs(dir) {
			t.RepositoryFactory.Root = filepath.Clean(dir)
		}
	}
	if t.MaxApps < 0 {
		t.MaxApps = DefaultMaxApps
	}
	if t.AppIdleTTL < 0 {
		t.AppIdleTTL = DefaultAppIdleTTL
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
	return nil
}

// abs resolves a path against the config's directory.
func (c *Config) abs(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// validate checks what decoding cannot: values that depend on each other.
func (c *Config) validate(lines map[string]int, file string) error {
	fail := func(key, format string, args ...any) error {
		return &Error{File: file, Line: lines[key], Key: key, Err: fmt.Errorf(format, args...)}
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fail("listen", "want host:port, got %q", c.Listen)
	}
	if c.HTTP.Listen != "" {
		if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
			return fail("http.listen", "want host:port, got %q", c.HTTP.Listen)
		}
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		return fail("tls", "cert_file and key_file go together")
	}
	j := c.Auth.JWT
	jwks := j.JWKSFile != "" || j.JWKSURL != ""
	if j.JWKSFile != "" && j.JWKSURL != "" {
		return fail("auth.jwt.jwks_url", "set jwks_file or jwks_url, not both")
	}
	if j.JWKSURL != "" {
		if err := CheckJWKSURL(j.JWKSURL); err != nil {
			return fail("auth.jwt.jwks_url", "%v", err)
		}
	}
	if j.Secret == "" && !jwks {
		return fail("auth.jwt.secret", "a secret or a JWK Set (jwks_file, jwks_url) is required (or set CUBEJS_API_SECRET)")
	}
	if len(j.Algorithms) == 0 {
		return fail("auth.jwt.algorithms", "at least one algorithm is required")
	}
	for _, a := range j.Algorithms {
		switch {
		case slices.Contains(DefaultAlgorithms, a):
			if j.Secret == "" {
				return fail("auth.jwt.algorithms", "%s needs auth.jwt.secret", a)
			}
		case slices.Contains(AsymmetricAlgorithms, a):
			if !jwks {
				return fail("auth.jwt.algorithms", "%s needs auth.jwt.jwks_file or jwks_url", a)
			}
		default:
			return fail("auth.jwt.algorithms", "unsupported algorithm %q (want HS256/384/512, RS256/384/512, ES256/384 or EdDSA)", a)
		}
	}
	t := c.Tenancy
	if len(t.DriverFactory) == 0 {
		return fail("tenancy.driver_factory", "at least one database is required")
	}
	if t.DBType == nil {
		lines["tenancy.db_type"] = lines["tenancy.driver_factory"]
		return fail("tenancy.db_type", "required when driver_factory has several entries")
	}
	if t.DBType.IsConst() {
		if _, ok := t.DriverFactory[t.DBType.Source]; !ok {
			return fail("tenancy.db_type", "%q has no driver_factory entry", t.DBType.Source)
		}
	}
	// An App's model comes from the first context that resolves to it, so a
	// path that reads more than the app id would hand one tenant's model to
	// another tenant with the same app id.
	appRefs := map[string]bool{}
	for _, h := range t.ContextToAppID.Holes() {
		for _, r := range h.Refs {
			appRefs[r] = true
		}
	}
	for _, h := range t.RepositoryFactory.Path.Holes() {
		for _, r := range h.Refs {
			if !appRefs[r] {
				return fail("tenancy.repository_factory.path", "reads %s, which context_to_app_id does not: tenants with one app id could get different models", r)
			}
		}
	}
	for typ, dt := range t.DriverFactory {
		key := "tenancy.driver_factory." + typ
		if dt.Host == nil && typ != "sqlite" { // a sqlite database is a file
			return fail(key, "host is required")
		}
		if dt.Port != nil && dt.Port.IsConst() {
			if _, err := ParsePort(dt.Port.Source); err != nil {
				return fail(key+".port", "%v", err)
			}
		}
		if dt.MaxConns != nil && dt.MaxConns.IsConst() {
			if _, err := ParseMaxConns(dt.MaxConns.Source); err != nil {
				return fail(key+".max_conns", "%v", err)
			}
		}
		if dt.SSLMode != nil && dt.SSLMode.IsConst() {
			if err := CheckSSLMode(dt.SSLMode.Source); err != nil {
				return fail(key+".sslmode", "%v", err)
			}
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return fail("log.level", "want debug, info, warn or error, got %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return fail("log.format", "want text or json, got %q", c.Log.Format)
	}
	return nil
}

// ParsePort parses a rendered port; empty means the driver's default.
func ParsePort(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("port must be a number from 1 to 65535, got %q", s)
	}
	return p, nil
}

// ParseMaxConns parses a rendered pool size; empty means the default.
func ParseMaxConns(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 10000 {
		return 0, fmt.Errorf("max_conns must be a number from 0 to 10000, got %q", s)
	}
	return n, nil
}

// CheckSSLMode accepts the sslmodes the drivers implement.
func CheckSSLMode(s string) error {
	switch s {
	case "", "disable", "require", "verify-full":
		return nil
	}
	return fmt.Errorf("sslmode must be disable, require or verify-full, got %q", s)
}

// CheckJWKSURL accepts https URLs, and http only on a loopback host: keys
// fetched in clear text over a network could be replaced on the way.
func CheckJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "https":
	case "http":
		h := u.Hostname()
		ip := net.ParseIP(h)
		if h != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("%q: http is only allowed on a loopback host; use https", raw)
		}
	default:
		return fmt.Errorf("%q: want an https URL", raw)
	}
	if u.Host == "" || u.User != nil {
		return fmt.Errorf("%q: want https://host/path", raw)
	}
	return nil
}
