// Package dialect renders the planner's backend SQL for each kind of
// database: quoting, placeholders, time truncation, case-insensitive
// matching, NULL ordering, casts.
package dialect

import "github.com/lattice-sql/lattice/schema/pgerr"

// A Dialect is one backend SQL flavour.
type Dialect interface {
	// Name is "postgres" or "mysql" (or "mongobi", MySQL restricted to what
	// the MongoDB BI Connector accepts).
	Name() string
}

// ForDBType returns the dialect for a dbType hook value: postgres; mysql,
// mariadb and mongobi (the MySQL protocol).
func ForDBType(dbType string) (Dialect, error) {
	switch dbType {
	case "postgres", "postgresql":
		return Postgres, nil
	case "mysql", "mariadb":
		return MySQL, nil
	case "mongobi":
		return MongoBI, nil
	}
	return nil, pgerr.New(pgerr.InvalidAuthorization, "unknown db_type %q", dbType)
}
