// Package seed holds the seed's multitenancy example: four tenants, each
// with its own database and distinct data, and a data model per app (see
// model/ and lattice.yml beside this file). Tests and the setup command
// build the databases from the same rows that tests check answers against.
package seed

import (
	"fmt"
	"strings"
	"time"
)

// A Tenant is one (appId, userId) pair of the example.
type Tenant struct {
	AppID  int
	UserID int
	DBType string // postgres or mongobi (MariaDB over the MySQL protocol)
}

// Tenants are the example's tenants: app 3 is served from MariaDB.
var Tenants = []Tenant{
	{AppID: 1, UserID: 2, DBType: "postgres"},
	{AppID: 1, UserID: 3, DBType: "postgres"},
	{AppID: 2, UserID: 5, DBType: "postgres"},
	{AppID: 3, UserID: 7, DBType: "mongobi"},
}

// Database is the tenant's database name under the given prefix
// ("my_app_" in the example, a lattice_test_ prefix in tests).
func (t Tenant) Database(prefix string) string {
	return fmt.Sprintf("%s%d_%d", prefix, t.AppID, t.UserID)
}

// Claims are the JWT claims that select this tenant.
func (t Tenant) Claims() map[string]any {
	return map[string]any{"appId": t.AppID, "userId": t.UserID}
}

// Order is one row of an orders table (apps 1 and 3).
type Order struct {
	ID        int
	UserID    int
	Status    string
	Amount    string // decimal text, two places
	CreatedAt time.Time
}

// User is one row of a users table (apps 1 and 3).
type User struct {
	ID   int
	Name string
	City string
}

// Ticket is one row of app 2's tickets table.
type Ticket struct {
	ID              int
	AgentID         int
	State, Priority string
	ResolutionHours int
	OpenedAt        time.Time
}

// Agent is one row of app 2's agents table.
type Agent struct {
	ID   int
	Name string
}

// UniqueStatus is a status only this tenant's orders have, so a row of
// another tenant is visible in any grouped answer.
func (t Tenant) UniqueStatus() string { return fmt.Sprintf("only_%d_%d", t.AppID, t.UserID) }

// Orders returns the tenant's orders: how many, and their statuses and
// amounts, differ per tenant.
func (t Tenant) Orders() []Order {
	statuses := []string{"completed", "processing", "shipped", "completed", t.UniqueStatus()}
	n := 20 + 7*t.AppID + 3*t.UserID
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]Order, n)
	for i := range out {
		cents := (i*3701+t.UserID*137)%100000 + 100
		out[i] = Order{
			ID:        i + 1,
			UserID:    i%5 + 1,
			Status:    statuses[(i*(t.UserID+1))%len(statuses)],
			Amount:    fmt.Sprintf("%d.%02d", cents/100, cents%100),
			CreatedAt: start.Add(time.Duration(i*37+t.UserID) * time.Hour),
		}
	}
	return out
}

// Users returns the tenant's users.
func (t Tenant) Users() []User {
	cities := []string{"Lisbon", "Oslo", "Quito", "Kyoto"}
	out := make([]User, 5)
	for i := range out {
		out[i] = User{ID: i + 1, Name: fmt.Sprintf("user_%d_%d_%d", t.AppID, t.UserID, i+1), City: cities[(i+t.UserID)%len(cities)]}
	}
	return out
}

// Tickets returns app 2's tickets.
func (t Tenant) Tickets() []Ticket {
	states := []string{"open", "closed", "pending"}
	prios := []string{"low", "high", "urgent"}
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	out := make([]Ticket, 15+t.UserID)
	for i := range out {
		out[i] = Ticket{ID: i + 1, AgentID: i%3 + 1, State: states[i%3], Priority: prios[(i/2)%3],
			ResolutionHours: (i * 7) % 40, OpenedAt: start.Add(time.Duration(i*11) * time.Hour)}
	}
	return out
}

// Agents returns app 2's agents.
func (t Tenant) Agents() []Agent {
	return []Agent{{1, "Ada"}, {2, "Grace"}, {3, "Linus"}}
}

// Statements returns the SQL that creates and fills the tenant's tables in
// an empty database; mysql selects MySQL/MariaDB types.
func (t Tenant) Statements(mysql bool) []string {
	ts := "TIMESTAMP"
	if mysql {
		ts = "DATETIME"
	}
	var stmts []string
	rows := func(table string, vals []string) {
		if len(vals) > 0 {
			stmts = append(stmts, "INSERT INTO "+table+" VALUES "+strings.Join(vals, ", "))
		}
	}
	when := func(tm time.Time) string { return "'" + tm.Format("2006-01-02 15:04:05") + "'" }
	if t.AppID == 2 {
		stmts = append(stmts,
			"CREATE TABLE agents (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL)",
			"CREATE TABLE tickets (id INT PRIMARY KEY, agent_id INT NOT NULL, state VARCHAR(16) NOT NULL, priority VARCHAR(16) NOT NULL, resolution_hours INT NOT NULL, opened_at "+ts+" NOT NULL)")
		var a, tk []string
		for _, x := range t.Agents() {
			a = append(a, fmt.Sprintf("(%d, '%s')", x.ID, x.Name))
		}
		for _, x := range t.Tickets() {
			tk = append(tk, fmt.Sprintf("(%d, %d, '%s', '%s', %d, %s)", x.ID, x.AgentID, x.State, x.Priority, x.ResolutionHours, when(x.OpenedAt)))
		}
		rows("agents", a)
		rows("tickets", tk)
		return stmts
	}
	stmts = append(stmts,
		"CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, city VARCHAR(64))",
		"CREATE TABLE orders (id INT PRIMARY KEY, user_id INT NOT NULL, status VARCHAR(32) NOT NULL, amount DECIMAL(12,2) NOT NULL, created_at "+ts+" NOT NULL)")
	var u, o []string
	for _, x := range t.Users() {
		u = append(u, fmt.Sprintf("(%d, '%s', '%s')", x.ID, x.Name, x.City))
	}
	for _, x := range t.Orders() {
		o = append(o, fmt.Sprintf("(%d, %d, '%s', %s, %s)", x.ID, x.UserID, x.Status, x.Amount, when(x.CreatedAt)))
	}
	rows("users", u)
	rows("orders", o)
	return stmts
}
