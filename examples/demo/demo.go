package demo

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

//go:embed lattice.yml.tmpl models
var files embed.FS

// A Table is one generated table: its column definitions ("name TYPE")
// and its rows, in order.
type Table struct {
	Name    string
	Columns []string
	Rows    [][]any
}

// A Tenant is one demo tenant: the value of its JWT's "tenant" claim,
// which names its database file and its model folder.
type Tenant struct {
	Name        string
	Description string
	Tables      []Table
	// Examples are queries in Lattice's SQL to print next to its psql line.
	Examples []string
}

// Table returns the tenant's table called name.
func (t Tenant) Table(name string) Table {
	for _, tb := range t.Tables {
		if tb.Name == name {
			return tb
		}
	}
	panic("demo: no table " + name)
}

// Tenants returns the demo tenants with their data; the same every call.
func Tenants() []Tenant { return []Tenant{Shop(), SaaS()} }

// timeFormat is how timestamps are stored: the text that the sqlite
// dialect's time functions produce and compare with.
const timeFormat = "2006-01-02 15:04:05"

var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// at is a timestamp within 2025.
func at(r *mrand.Rand) string {
	return epoch.Add(time.Duration(r.Int64N(365*24*3600)) * time.Second).Format(timeFormat)
}

func pick[T any](r *mrand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// money is cents as a decimal number of the currency.
func money(cents int64) float64 { return float64(cents) / 100 }

// Shop is a small web shop: customers, products and their orders.
func Shop() Tenant {
	r := mrand.New(mrand.NewPCG(2025, 1))
	countries := []string{"France", "Germany", "Japan", "Brazil", "Canada", "Kenya"}
	first := []string{"Ada", "Brian", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas"}
	last := []string{"Okafor", "Silva", "Tanaka", "Dubois", "Schmidt", "Nguyen", "Kowalski", "Moreau"}
	customers := Table{Name: "customers", Columns: []string{"id INTEGER PRIMARY KEY", "name TEXT NOT NULL", "country TEXT", "signed_up_at TEXT"}}
	for id := 1; id <= 60; id++ {
		customers.Rows = append(customers.Rows, []any{id, pick(r, first) + " " + pick(r, last), pick(r, countries), at(r)})
	}
	categories := map[string][]string{
		"Books":    {"Go in Practice", "Database Internals", "The Art of SQL", "Designing Data Apps"},
		"Coffee":   {"Ethiopia Yirgacheffe", "Colombia Huila", "Espresso Blend", "Decaf Swiss Water"},
		"Hardware": {"Mechanical Keyboard", "USB-C Dock", "27in Monitor", "Noise-cancelling Headphones"},
		"Stickers": {"Gopher Sticker", "Elephant Sticker", "Lattice Sticker"},
	}
	products := Table{Name: "products", Columns: []string{"id INTEGER PRIMARY KEY", "name TEXT NOT NULL", "category TEXT NOT NULL", "price REAL NOT NULL"}}
	var prices []int64 // cents, by product id - 1
	for _, cat := range []string{"Books", "Coffee", "Hardware", "Stickers"} {
		for _, name := range categories[cat] {
			var cents int64
			switch cat {
			case "Books":
				cents = 2500 + r.Int64N(3000)
			case "Coffee":
				cents = 1200 + r.Int64N(1000)
			case "Hardware":
				cents = 5000 + r.Int64N(30000)
			default:
				cents = 200 + r.Int64N(300)
			}
			prices = append(prices, cents)
			products.Rows = append(products.Rows, []any{len(prices), name, cat, money(cents)})
		}
	}
	orders := Table{Name: "orders", Columns: []string{"id INTEGER PRIMARY KEY", "customer_id INTEGER NOT NULL", "product_id INTEGER NOT NULL",
		"quantity INTEGER NOT NULL", "amount REAL NOT NULL", "status TEXT NOT NULL", "created_at TEXT NOT NULL"}}
	statuses := []string{"completed", "completed", "completed", "shipped", "processing", "cancelled"}
	for id := 1; id <= 400; id++ {
		p := r.IntN(len(prices))
		q := 1 + r.IntN(4)
		orders.Rows = append(orders.Rows, []any{id, 1 + r.IntN(len(customers.Rows)), p + 1, q,
			money(prices[p] * int64(q)), pick(r, statuses), at(r)})
	}
	return Tenant{
		Name:        "shop",
		Description: "a web shop: orders, customers, products",
		Tables:      []Table{customers, products, orders},
		Examples: []string{
			"SELECT status, MEASURE(count) AS orders, MEASURE(revenue) AS revenue FROM orders GROUP BY 1 ORDER BY 1;",
			"SELECT customers.country, MEASURE(orders.revenue) AS revenue FROM orders CROSS JOIN customers GROUP BY 1 ORDER BY 2 DESC, 1;",
			"SELECT DATE_TRUNC('quarter', created_at) AS quarter, MEASURE(completed_count) FROM orders GROUP BY 1 ORDER BY 1;",
		},
	}
}

// SaaS is a subscription software business: accounts, their
// subscriptions and the product events their users send.
func SaaS() Tenant {
	r := mrand.New(mrand.NewPCG(2025, 2))
	industries := []string{"Fintech", "Healthcare", "Retail", "Education", "Logistics"}
	regions := []string{"EMEA", "AMER", "APAC"}
	words := []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Soylent", "Cyberdyne", "Wonka"}
	accounts := Table{Name: "accounts", Columns: []string{"id INTEGER PRIMARY KEY", "name TEXT NOT NULL", "industry TEXT NOT NULL", "region TEXT NOT NULL", "created_at TEXT NOT NULL"}}
	for id := 1; id <= 80; id++ {
		accounts.Rows = append(accounts.Rows, []any{id, words[(id-1)%len(words)] + " " + strconv.Itoa((id-1)/len(words)+1),
			pick(r, industries), pick(r, regions), at(r)})
	}
	plans := []struct {
		name string
		seat int64 // cents per seat and month
	}{{"starter", 900}, {"team", 2900}, {"enterprise", 7900}}
	subs := Table{Name: "subscriptions", Columns: []string{"id INTEGER PRIMARY KEY", "account_id INTEGER NOT NULL", "plan TEXT NOT NULL",
		"status TEXT NOT NULL", "seats INTEGER NOT NULL", "mrr REAL NOT NULL", "started_at TEXT NOT NULL"}}
	statuses := []string{"active", "active", "active", "trialing", "churned"}
	for id := 1; id <= 150; id++ {
		p := pick(r, plans)
		seats := int64(1 + r.IntN(50))
		subs.Rows = append(subs.Rows, []any{id, 1 + r.IntN(len(accounts.Rows)), p.name, pick(r, statuses), seats, money(p.seat * seats), at(r)})
	}
	kinds := []string{"login", "report_viewed", "dashboard_created", "export", "invite_sent"}
	events := Table{Name: "events", Columns: []string{"id INTEGER PRIMARY KEY", "account_id INTEGER NOT NULL", "kind TEXT NOT NULL", "occurred_at TEXT NOT NULL"}}
	for id := 1; id <= 600; id++ {
		events.Rows = append(events.Rows, []any{id, 1 + r.IntN(len(accounts.Rows)), pick(r, kinds), at(r)})
	}
	return Tenant{
		Name:        "saas",
		Description: "a SaaS app: accounts, subscriptions, product events",
		Tables:      []Table{accounts, subs, events},
		Examples: []string{
			"SELECT plan, MEASURE(active_count) AS active, MEASURE(mrr) AS mrr FROM subscriptions GROUP BY 1 ORDER BY 1;",
			"SELECT accounts.industry, MEASURE(events.active_accounts) AS active_accounts FROM events CROSS JOIN accounts GROUP BY 1 ORDER BY 1;",
			"SELECT kind, MEASURE(count) FROM events WHERE occurred_at >= '2025-07-01' GROUP BY 1 ORDER BY 2 DESC, 1;",
		},
	}
}

// Options are what Install writes into the config.
type Options struct {
	Listen     string // host:port of the Postgres listener
	HTTPListen string // host:port of the REST API, "" for none
	Secret     string // the HMAC secret tokens are signed with
}

// ConfigName is the config file Install writes in the data directory.
const ConfigName = "lattice.yml"

// DBPath is where Install puts a tenant's database.
func DBPath(dir, tenant string) string { return filepath.Join(dir, tenant+".db") }

// Install writes the models, one SQLite file per tenant (rebuilt from the
// generators, so it is always the same data) and the config into dir, and
// returns the config's path.
func Install(ctx context.Context, dir string, opts Options) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := writeModels(dir); err != nil {
		return "", err
	}
	for _, t := range Tenants() {
		if err := writeDB(ctx, DBPath(dir, t.Name), t.Tables); err != nil {
			return "", fmt.Errorf("demo data for %s: %w", t.Name, err)
		}
	}
	cfgPath := filepath.Join(dir, ConfigName)
	tmpl, err := files.ReadFile("lattice.yml.tmpl")
	if err != nil {
		return "", err
	}
	// JSON strings are YAML strings: paths and secrets stay literal.
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	cfg := strings.NewReplacer(
		"@CONFIG@", cfgPath,
		"@LISTEN@", q(opts.Listen),
		"@SECRET@", q(opts.Secret),
		"@HTTP_LISTEN@", q(opts.HTTPListen),
	).Replace(string(tmpl))
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return "", err
	}
	return cfgPath, nil
}

func writeModels(dir string) error {
	return fs.WalkDir(files, "models", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if path.Ext(p) != ".yml" {
			return nil
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

// writeDB builds the database in a new file and renames it into place, so
// that a reader never sees half of it.
func writeDB(ctx context.Context, file string, tables []Table) error {
	tmp := file + ".tmp"
	for _, f := range []string{tmp, tmp + "-journal", tmp + "-wal", tmp + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	u := url.URL{Scheme: "file", OmitHost: true, Path: tmp, RawQuery: "mode=rwc&_pragma=journal_mode(DELETE)"}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, "CREATE TABLE "+t.Name+" ("+strings.Join(t.Columns, ", ")+")"); err != nil {
			return err
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(t.Columns)), ", ")
		ins, err := tx.PrepareContext(ctx, "INSERT INTO "+t.Name+" VALUES ("+marks+")")
		if err != nil {
			return err
		}
		for _, row := range t.Rows {
			if _, err := ins.ExecContext(ctx, row...); err != nil {
				ins.Close()
				return err
			}
		}
		ins.Close()
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// WAL lets readers run while a writer (an operator reloading data)
	// works; the switch is stored in the file.
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	for _, f := range []string{file + "-wal", file + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return os.Rename(tmp, file)
}

// Secret returns the data directory's signing secret, creating a random
// one on first use, so that printed tokens stay valid across runs.
func Secret(dir string) (string, error) {
	file := filepath.Join(dir, "secret")
	if b, err := os.ReadFile(file); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	s := hex.EncodeToString(b[:])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return s, os.WriteFile(file, []byte(s+"\n"), 0o600)
}
