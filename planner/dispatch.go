package planner

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v5"
	"github.com/pganalyze/pg_query_go/v5/parser"

	"github.com/lattice-sql/lattice/planner/dialect"
	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

// plan parses sql and routes each statement to the layer that answers it.
func plan(m *schema.Model, d dialect.Dialect, sql string, paramOIDs []uint32) ([]*Statement, error) {
	if strings.TrimSpace(strings.Trim(sql, "; \t\r\n")) == "" {
		return []*Statement{{Kind: KindEmpty}}, nil
	}
	tree, err := pg_query.Parse(sql)
	if err != nil {
		return nil, parseError(err)
	}
	if len(tree.Stmts) == 0 {
		return []*Statement{{Kind: KindEmpty}}, nil
	}
	p := &planner{m: m, d: d, sql: sql, declared: paramOIDs}
	out := make([]*Statement, 0, len(tree.Stmts))
	for _, raw := range tree.Stmts {
		st, err := p.statement(raw.Stmt)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func parseError(err error) error {
	var pe *parser.Error
	if errors.As(err, &pe) {
		e := pgerr.New(pgerr.SyntaxError, "%s", pe.Message)
		e.Position = pe.Cursorpos
		return e
	}
	return pgerr.Wrap(err, pgerr.SyntaxError, "cannot parse query")
}

// planner holds what every statement of one Plan call shares.
type planner struct {
	m        *schema.Model
	d        dialect.Dialect
	sql      string
	declared []uint32
}

// pos converts a pg_query byte offset into PostgreSQL's 1-based character
// position.
func (p *planner) pos(loc int32) int {
	if loc < 0 || int(loc) > len(p.sql) {
		return 0
	}
	return utf8.RuneCountInString(p.sql[:loc]) + 1
}

func (p *planner) statement(n *pg_query.Node) (*Statement, error) {
	switch s := n.Node.(type) {
	case *pg_query.Node_SelectStmt:
		return p.query(n, s.SelectStmt)
	case *pg_query.Node_VariableShowStmt:
		r, err := catalogShow(strings.ToLower(s.VariableShowStmt.Name))
		if err != nil {
			return nil, err
		}
		return localStatement(r), nil
	case *pg_query.Node_ExplainStmt:
		return p.explain(s.ExplainStmt)
	case *pg_query.Node_VariableSetStmt:
		return p.set(s.VariableSetStmt)
	case *pg_query.Node_TransactionStmt:
		return transaction(s.TransactionStmt)
	case *pg_query.Node_DiscardStmt:
		if s.DiscardStmt.Target != pg_query.DiscardMode_DISCARD_ALL {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "only DISCARD ALL is supported")
		}
		return utility("DISCARD ALL", &Utility{Kind: UtilityDiscardAll}), nil
	case *pg_query.Node_DeallocateStmt:
		name := s.DeallocateStmt.Name
		if name == "" {
			return utility("DEALLOCATE ALL", &Utility{Kind: UtilityDeallocate, Name: "all"}), nil
		}
		return utility("DEALLOCATE", &Utility{Kind: UtilityDeallocate, Name: name}), nil
	case *pg_query.Node_DeclareCursorStmt:
		inner, err := p.statement(s.DeclareCursorStmt.Query)
		if err != nil {
			return nil, err
		}
		if inner.Kind != KindBackend && inner.Kind != KindLocal {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "DECLARE CURSOR needs a query")
		}
		return utility("DECLARE CURSOR", &Utility{Kind: UtilityDeclareCursor, Name: s.DeclareCursorStmt.Portalname, Cursor: inner}), nil
	case *pg_query.Node_FetchStmt:
		return fetch(s.FetchStmt)
	case *pg_query.Node_ClosePortalStmt:
		name := s.ClosePortalStmt.Portalname
		if name == "" {
			return utility("CLOSE CURSOR ALL", &Utility{Kind: UtilityClose, Name: "all"}), nil
		}
		return utility("CLOSE CURSOR", &Utility{Kind: UtilityClose, Name: name}), nil
	}
	return nil, readOnly(n)
}

func utility(tag string, u *Utility) *Statement {
	return &Statement{Kind: KindUtility, Tag: tag, Utility: u}
}

func localStatement(r *catalogResult) *Statement {
	tag := r.Tag
	if tag == "" {
		tag = "SELECT"
	}
	return &Statement{Kind: KindLocal, Tag: tag, Columns: r.Columns, ParamOIDs: r.ParamOIDs, Local: r.Rows}
}

// query plans a SELECT: semantic when it reads a cube, else the catalog's.
func (p *planner) query(n *pg_query.Node, s *pg_query.SelectStmt) (*Statement, error) {
	if p.readsCube(s) {
		return p.semantic(s)
	}
	r, err := catalogPlan(p.m, n, p.declared)
	if err != nil {
		return nil, err
	}
	return localStatement(r), nil
}

// readsCube reports whether the statement's FROM names a cube, looking into
// set operations and subqueries so that no cube reaches the catalog.
func (p *planner) readsCube(s *pg_query.SelectStmt) bool {
	if s == nil {
		return false
	}
	if s.Larg != nil || s.Rarg != nil {
		return p.readsCube(s.Larg) || p.readsCube(s.Rarg)
	}
	if s.WithClause != nil {
		for _, c := range s.WithClause.Ctes {
			if p.readsCube(c.GetCommonTableExpr().GetCtequery().GetSelectStmt()) {
				return true
			}
		}
	}
	for _, f := range s.FromClause {
		if p.fromReadsCube(f) {
			return true
		}
	}
	return false
}

func (p *planner) fromReadsCube(n *pg_query.Node) bool {
	switch f := n.Node.(type) {
	case *pg_query.Node_RangeVar:
		return p.cubeOf(f.RangeVar) != nil
	case *pg_query.Node_JoinExpr:
		return p.fromReadsCube(f.JoinExpr.Larg) || p.fromReadsCube(f.JoinExpr.Rarg)
	case *pg_query.Node_RangeSubselect:
		if sub := f.RangeSubselect.Subquery.GetSelectStmt(); sub != nil {
			return p.readsCube(sub)
		}
	}
	return false
}

// cubeOf returns the cube a table reference names: schema public or none.
func (p *planner) cubeOf(rv *pg_query.RangeVar) *schema.Cube {
	if p.m == nil || (rv.Schemaname != "" && rv.Schemaname != "public") {
		return nil
	}
	return p.m.Cube(rv.Relname)
}

func (p *planner) explain(s *pg_query.ExplainStmt) (*Statement, error) {
	inner, err := p.statement(s.Query)
	if err != nil {
		return nil, err
	}
	if inner.Kind != KindBackend {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "EXPLAIN is supported for queries on cubes only")
	}
	rows := [][]any{}
	for _, line := range strings.Split(inner.SQL, "\n") {
		rows = append(rows, []any{line})
	}
	return &Statement{
		Kind:      KindLocal,
		Tag:       "EXPLAIN",
		Columns:   []Column{{Name: "QUERY PLAN", OID: oidText, TypeSize: -1, TypeMod: -1}},
		ParamOIDs: inner.ParamOIDs,
		Local:     func(*Session, []any) ([][]any, error) { return rows, nil },
	}, nil
}

// set plans SET and RESET; values are rendered as SHOW would print them.
func (p *planner) set(s *pg_query.VariableSetStmt) (*Statement, error) {
	name := strings.ToLower(s.Name)
	switch s.Kind {
	case pg_query.VariableSetKind_VAR_RESET:
		return utility("RESET", &Utility{Kind: UtilityReset, Name: name}), nil
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		return utility("RESET", &Utility{Kind: UtilityReset, Name: "all"}), nil
	case pg_query.VariableSetKind_VAR_SET_DEFAULT:
		return utility("SET", &Utility{Kind: UtilityReset, Name: name, Local: s.IsLocal}), nil
	case pg_query.VariableSetKind_VAR_SET_MULTI:
		// SET TRANSACTION ... and SET SESSION CHARACTERISTICS: accepted,
		// nothing to change on a read-only proxy.
		return utility("SET", &Utility{Kind: UtilitySet, Name: name, Local: s.IsLocal}), nil
	case pg_query.VariableSetKind_VAR_SET_CURRENT:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "SET ... FROM CURRENT is not supported")
	}
	quote := name == "search_path" || name == "temp_tablespaces" || name == "session_preload_libraries" ||
		name == "shared_preload_libraries" || name == "local_preload_libraries"
	vals := make([]string, 0, len(s.Args))
	for _, a := range s.Args {
		v, err := setValue(a, quote)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	return utility("SET", &Utility{Kind: UtilitySet, Name: name, Value: strings.Join(vals, ", "), Local: s.IsLocal}), nil
}

func setValue(n *pg_query.Node, quote bool) (string, error) {
	if tc := n.GetTypeCast(); tc != nil {
		n = tc.Arg
	}
	c := n.GetAConst()
	if c == nil {
		return "", pgerr.New(pgerr.FeatureNotSupported, "unsupported SET value")
	}
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Sval:
		if quote {
			return quoteIdent(v.Sval.Sval), nil
		}
		return v.Sval.Sval, nil
	case *pg_query.A_Const_Ival:
		return fmt.Sprint(v.Ival.Ival), nil
	case *pg_query.A_Const_Fval:
		return v.Fval.Fval, nil
	case *pg_query.A_Const_Boolval:
		if v.Boolval.Boolval {
			return "on", nil
		}
		return "off", nil
	}
	return "", pgerr.New(pgerr.FeatureNotSupported, "unsupported SET value")
}

// quoteIdent quotes like PostgreSQL's quote_identifier (keywords aside).
func quoteIdent(s string) string {
	ok := s != "" && !(s[0] >= '0' && s[0] <= '9')
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	}
	if ok {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func transaction(s *pg_query.TransactionStmt) (*Statement, error) {
	switch s.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN:
		return utility("BEGIN", &Utility{Kind: UtilityBegin}), nil
	case pg_query.TransactionStmtKind_TRANS_STMT_START:
		return utility("START TRANSACTION", &Utility{Kind: UtilityBegin}), nil
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
		return utility("COMMIT", &Utility{Kind: UtilityCommit}), nil
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		return utility("ROLLBACK", &Utility{Kind: UtilityRollback}), nil
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "savepoints and two-phase commit are not supported").
		WithHint("Lattice is read-only; use BEGIN, COMMIT and ROLLBACK only")
}

func fetch(s *pg_query.FetchStmt) (*Statement, error) {
	if s.Ismove {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "MOVE is not supported")
	}
	if s.Direction != pg_query.FetchDirection_FETCH_FORWARD {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "cursors can only fetch forward").
			WithHint("Lattice cursors are NO SCROLL")
	}
	n := s.HowMany
	if n == 1<<63-1 {
		n = -1
	}
	return utility("FETCH", &Utility{Kind: UtilityFetch, Name: s.Portalname, Count: n}), nil
}

// writeCommands names the statements a read-only transaction refuses.
var writeCommands = map[string]string{
	"InsertStmt": "INSERT", "UpdateStmt": "UPDATE", "DeleteStmt": "DELETE", "MergeStmt": "MERGE",
	"CopyStmt": "COPY", "TruncateStmt": "TRUNCATE TABLE", "CreateStmt": "CREATE TABLE",
	"CreateTableAsStmt": "CREATE TABLE AS", "ViewStmt": "CREATE VIEW", "IndexStmt": "CREATE INDEX",
	"DropStmt": "DROP", "AlterTableStmt": "ALTER TABLE", "RenameStmt": "ALTER", "GrantStmt": "GRANT",
	"GrantRoleStmt": "GRANT ROLE", "CreateSchemaStmt": "CREATE SCHEMA", "CreateSeqStmt": "CREATE SEQUENCE",
	"CreateFunctionStmt": "CREATE FUNCTION", "CreateRoleStmt": "CREATE ROLE", "CreatedbStmt": "CREATE DATABASE",
	"DropdbStmt": "DROP DATABASE", "CommentStmt": "COMMENT", "VacuumStmt": "VACUUM", "LockStmt": "LOCK TABLE",
	"CreateExtensionStmt": "CREATE EXTENSION", "AlterRoleStmt": "ALTER ROLE", "DropRoleStmt": "DROP ROLE",
	"RefreshMatViewStmt": "REFRESH MATERIALIZED VIEW", "CreateTrigStmt": "CREATE TRIGGER",
	"DoStmt": "DO", "CallStmt": "CALL", "ReindexStmt": "REINDEX", "ClusterStmt": "CLUSTER",
}

func readOnly(n *pg_query.Node) error {
	typ := fmt.Sprintf("%T", n.Node)
	typ = strings.TrimPrefix(typ, "*pg_query.Node_")
	if cmd, ok := writeCommands[typ]; ok {
		if typ == "CopyStmt" && !n.GetCopyStmt().IsFrom {
			return pgerr.New(pgerr.FeatureNotSupported, "COPY is not supported").
				WithHint("use SELECT; Lattice serves queries only")
		}
		return pgerr.New(pgerr.ReadOnlyTransaction, "cannot execute %s in a read-only transaction", cmd)
	}
	return pgerr.New(pgerr.FeatureNotSupported, "statement %s is not supported", strings.TrimSuffix(typ, "Stmt")).
		WithHint("Lattice answers SELECT on cubes and catalogs, SHOW, SET, transactions and cursors")
}
