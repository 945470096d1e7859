package proxy

import (
	"slices"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

// handleQuery runs a simple-query message: every statement in order, the
// first error aborting the rest, then ReadyForQuery.
func (c *conn) handleQuery(sql string) error {
	if err := c.checkToken(); err != nil {
		return err
	}
	// A simple query discards the unnamed statement and portal.
	delete(c.stmts, "")
	delete(c.portals, "")
	stmts, err := c.srv.plan(c.tenant.App.Model, c.dialect, sql, nil)
	if err != nil {
		if c.sess.tx == txFailed {
			err = errAbortedTx
		}
		return c.finishQuery(err)
	}
	if len(stmts) == 0 {
		c.send(&pgproto3.EmptyQueryResponse{})
		return c.finishQuery(nil)
	}
	ctx, done := c.statementContext()
	defer done()
	for _, st := range stmts {
		if err := c.execPortal(ctx, &portal{stmt: st}, 0, true); err != nil {
			return c.finishQuery(err)
		}
	}
	return c.finishQuery(nil)
}

func (c *conn) finishQuery(err error) error {
	if err != nil {
		if isFatal(err) {
			return err
		}
		c.sendError(err)
		c.failTx()
	}
	c.sendReady()
	return c.flush()
}

// handleParse plans a statement for later Binds.
func (c *conn) handleParse(m *pgproto3.Parse) error {
	if m.Name != "" {
		if _, ok := c.stmts[m.Name]; ok {
			return pgerr.New(pgerr.DuplicatePreparedStatement, "prepared statement %q already exists", m.Name)
		}
	}
	oids := slices.Clone(m.ParameterOIDs)
	stmts, err := c.srv.plan(c.tenant.App.Model, c.dialect, m.Query, oids)
	if err != nil {
		if c.sess.tx == txFailed {
			return errAbortedTx
		}
		return err
	}
	var st *planner.Statement
	switch len(stmts) {
	case 0:
		st = &planner.Statement{Kind: planner.KindEmpty}
	case 1:
		st = stmts[0]
	default:
		return pgerr.New(pgerr.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	if c.sess.tx == txFailed && !endsTx(st) {
		return errAbortedTx
	}
	c.stmts[m.Name] = &prepared{sql: m.Query, stmt: st, paramOIDs: paramTypes(st.ParamOIDs, oids)}
	c.send(&pgproto3.ParseComplete{})
	return nil
}

// paramTypes picks each parameter's type: the planner's inference, else
// the client's declaration, else text.
func paramTypes(inferred, declared []uint32) []uint32 {
	out := make([]uint32, max(len(inferred), len(declared)))
	for i := range out {
		switch {
		case i < len(inferred) && inferred[i] != 0:
			out[i] = inferred[i]
		case i < len(declared) && declared[i] != 0:
			out[i] = declared[i]
		default:
			out[i] = pgtype.TextOID
		}
	}
	return out
}

func (c *conn) lookupStmt(name string) (*prepared, error) {
	ps, ok := c.stmts[name]
	if !ok {
		if name == "" {
			return nil, pgerr.New(pgerr.InvalidSQLStatementName, "unnamed prepared statement does not exist")
		}
		return nil, pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", name)
	}
	return ps, nil
}

func (c *conn) lookupPortal(name string) (*portal, error) {
	p, ok := c.portals[name]
	if !ok {
		return nil, pgerr.New(pgerr.InvalidCursorName, "portal %q does not exist", name)
	}
	return p, nil
}

// handleBind decodes the parameters and creates a portal.
func (c *conn) handleBind(m *pgproto3.Bind) error {
	ps, err := c.lookupStmt(m.PreparedStatement)
	if err != nil {
		return err
	}
	if m.DestinationPortal != "" {
		if _, ok := c.portals[m.DestinationPortal]; ok {
			return pgerr.New(pgerr.DuplicateCursor, "portal %q already exists", m.DestinationPortal)
		}
	}
	if c.sess.tx == txFailed && !endsTx(ps.stmt) {
		return errAbortedTx
	}
	n := len(ps.paramOIDs)
	if len(m.Parameters) != n {
		return pgerr.New(pgerr.ProtocolViolation, "bind message supplies %d parameters, but prepared statement %q requires %d", len(m.Parameters), m.PreparedStatement, n)
	}
	pf := m.ParameterFormatCodes
	if len(pf) > 1 && len(pf) != n {
		return pgerr.New(pgerr.ProtocolViolation, "bind message has %d parameter formats but %d parameters", len(pf), n)
	}
	params := make([]any, n)
	for i, raw := range m.Parameters {
		format := textFormat
		if len(pf) == 1 {
			format = pf[0]
		} else if len(pf) > 1 {
			format = pf[i]
		}
		if format != textFormat && format != binaryFormat {
			return pgerr.New(pgerr.ProtocolViolation, "unsupported format code: %d", format)
		}
		params[i], err = decodeParam(c.types, ps.paramOIDs[i], format, raw, i+1)
		if err != nil {
			return err
		}
	}
	if cols, ok := c.columnsOf(ps.stmt); ok {
		if _, err := expandFormats(c.types, m.ResultFormatCodes, cols); err != nil {
			return err
		}
	}
	c.portals[m.DestinationPortal] = &portal{
		stmt:    ps.stmt,
		params:  params,
		formats: slices.Clone(m.ResultFormatCodes),
	}
	c.send(&pgproto3.BindComplete{})
	return nil
}

// handleDescribe answers with the parameter and row shapes, before
// anything runs.
func (c *conn) handleDescribe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		ps, err := c.lookupStmt(m.Name)
		if err != nil {
			return err
		}
		c.send(&pgproto3.ParameterDescription{ParameterOIDs: ps.paramOIDs})
		cols, ok := c.columnsOf(ps.stmt)
		if !ok {
			c.send(&pgproto3.NoData{})
			return nil
		}
		c.send(rowDescription(cols, make([]int16, len(cols))))
		return nil
	case 'P':
		p, err := c.lookupPortal(m.Name)
		if err != nil {
			return err
		}
		cols, ok := c.columnsOf(p.stmt)
		if !ok {
			c.send(&pgproto3.NoData{})
			return nil
		}
		formats, err := expandFormats(c.types, p.formats, cols)
		if err != nil {
			return err
		}
		c.send(rowDescription(cols, formats))
		return nil
	}
	return pgerr.New(pgerr.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType)
}

// handleExecute runs a portal, up to MaxRows rows (0 = all).
func (c *conn) handleExecute(m *pgproto3.Execute) error {
	if err := c.checkToken(); err != nil {
		return err
	}
	p, err := c.lookupPortal(m.Portal)
	if err != nil {
		return err
	}
	ctx, done := c.statementContext()
	defer done()
	maxRows := int(m.MaxRows)
	if maxRows < 0 {
		maxRows = 0
	}
	return c.execPortal(ctx, p, maxRows, false)
}

// handleSync ends the implicit transaction of an extended-protocol batch:
// error skipping stops, portals outside a transaction block are dropped.
func (c *conn) handleSync() error {
	c.ignoreTillSync = false
	if c.sess.tx == txIdle {
		clear(c.portals)
	}
	c.sendReady()
	return c.flush()
}

func (c *conn) handleClose(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		delete(c.stmts, m.Name)
	case 'P':
		delete(c.portals, m.Name)
	default:
		return pgerr.New(pgerr.ProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType)
	}
	c.send(&pgproto3.CloseComplete{})
	return nil
}
