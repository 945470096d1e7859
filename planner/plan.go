package planner

import (
	"github.com/lattice-sql/lattice/planner/catalog"
	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema"
)

// Kind says who answers a planned statement.
type Kind uint8

const (
	// KindEmpty is an empty query string: the proxy sends EmptyQueryResponse.
	KindEmpty Kind = iota
	// KindBackend runs SQL on the tenant's database; the rows come back in
	// text format and are sent with the types of Columns.
	KindBackend
	// KindLocal is answered by Lattice itself (catalog queries, SHOW,
	// constant selects): Local computes the rows.
	KindLocal
	// KindUtility changes session state (SET, RESET, BEGIN, COMMIT,
	// ROLLBACK, DISCARD, DEALLOCATE, cursors); the proxy applies Utility.
	KindUtility
)

// Column and Session are defined by the catalog package, which needs them
// too and cannot import planner.
type (
	Column  = catalog.Column
	Session = catalog.Session
)

// A Statement is one planned statement. A Statement is immutable and may be
// executed many times (a prepared statement), with different parameters.
type Statement struct {
	Kind Kind
	// Tag is the command tag without the row count ("SELECT", "SET",
	// "BEGIN", ...); the proxy appends the count where Postgres does.
	Tag       string
	Columns   []Column
	ParamOIDs []uint32 // one per $n, 0 where the type could not be inferred

	// KindBackend: SQL in the backend's dialect with its placeholders, and
	// for each placeholder in order the 0-based index of the client
	// parameter that fills it.
	SQL  string
	Args []int

	// KindLocal: computes the rows for the given session and client
	// parameters (decoded Go values: nil, string, int64, float64, bool,
	// time.Time, ...). Row values are Go values that pgtype encodes for the
	// column's OID.
	Local func(s *Session, params []any) ([][]any, error)

	// KindUtility: what the proxy must do.
	Utility *Utility
}

// UtilityKind names a session statement.
type UtilityKind uint8

const (
	UtilitySet   UtilityKind = iota + 1 // SET name = value (Value), SET LOCAL (Local)
	UtilityReset                        // RESET name, RESET ALL (Name == "all")
	UtilityBegin
	UtilityCommit
	UtilityRollback
	UtilityDiscardAll
	UtilityDeallocate    // Name, or "all"
	UtilityDeclareCursor // Name; Cursor is the planned query
	UtilityFetch         // Name; Count (-1 for ALL)
	UtilityClose         // Name, or "all"
)

// Utility is a session statement for the proxy to apply.
type Utility struct {
	Kind   UtilityKind
	Name   string
	Value  string
	Local  bool
	Count  int64
	Cursor *Statement
}

// PlanFunc is the signature of Plan, for front ends that take a planner
// (Cache.Plan, or a test double).
type PlanFunc func(m *schema.Model, d dialect.Dialect, sql string, paramOIDs []uint32) ([]*Statement, error)

// Plan parses sql (one or more statements) and plans each against model m
// for backend dialect d. paramOIDs are the parameter types the client
// declared (may be shorter than the number of parameters, 0 = unspecified).
// Plan is pure: no I/O, safe for concurrent use. Errors are *pgerr.Error.
func Plan(m *schema.Model, d dialect.Dialect, sql string, paramOIDs []uint32) ([]*Statement, error) {
	return plan(m, d, sql, paramOIDs)
}
