package proxy

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

// A portal is a statement bound to its parameters and result formats: a
// Bind result, the implicit portal of a simple-query statement, or a
// cursor (DECLARE). Rows are streamed when the portal runs to completion in
// one go, and buffered when it is read in pieces (Execute with a row limit,
// FETCH).
type portal struct {
	stmt    *planner.Statement
	params  []any
	formats []int16 // result format codes as sent in Bind (0, 1 or n)
	inTx    bool    // a cursor declared in a transaction block: closed at its end

	started bool // rows are buffered below
	done    bool // all rows were sent
	text    [][][]byte
	vals    [][]any
	pos     int
}

func (p *portal) remaining() int { return len(p.text) + len(p.vals) - p.pos }

var errAbortedTx = pgerr.New(pgerr.InFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")

// endsTx reports whether st may run in a failed transaction.
func endsTx(st *planner.Statement) bool {
	if st.Kind != planner.KindUtility || st.Utility == nil {
		return false
	}
	k := st.Utility.Kind
	return k == planner.UtilityRollback || k == planner.UtilityCommit
}

// execPortal runs p. simple is the simple-query protocol: RowDescription is
// sent before rows and all results are text. maxRows > 0 suspends the
// portal after that many rows (extended protocol only).
func (c *conn) execPortal(ctx context.Context, p *portal, maxRows int, simple bool) error {
	st := p.stmt
	if c.sess.tx == txFailed && st.Kind != planner.KindEmpty && !endsTx(st) {
		return errAbortedTx
	}
	switch st.Kind {
	case planner.KindEmpty:
		c.send(&pgproto3.EmptyQueryResponse{})
		return nil
	case planner.KindUtility:
		if st.Utility == nil {
			return pgerr.New(pgerr.InternalError, "utility statement without an action")
		}
		return c.execUtility(ctx, p, simple)
	case planner.KindBackend, planner.KindLocal:
		formats, err := c.resultFormats(p, st.Columns, simple)
		if err != nil {
			return err
		}
		if simple {
			c.send(rowDescription(st.Columns, formats))
		}
		tag := st.Tag
		if tag == "" {
			tag = "SELECT"
		}
		return c.sendRows(ctx, p, formats, maxRows, tag, true)
	}
	return pgerr.New(pgerr.InternalError, "unknown statement kind %d", st.Kind)
}

func (c *conn) resultFormats(p *portal, cols []planner.Column, simple bool) ([]int16, error) {
	if simple {
		return make([]int16, len(cols)), nil
	}
	return expandFormats(c.types, p.formats, cols)
}

// sendRows sends p's rows: all of them streamed, or up to maxRows from the
// buffer. suspend says whether a partial read ends in PortalSuspended
// (Execute) or in a CommandComplete with the count (FETCH).
func (c *conn) sendRows(ctx context.Context, p *portal, formats []int16, maxRows int, tag string, suspend bool) error {
	enc := newRowEncoder(c.types, p.stmt.Columns, formats)
	if p.done {
		c.send(&pgproto3.CommandComplete{CommandTag: commandTag(tag, 0)})
		return nil
	}
	if !p.started && maxRows <= 0 {
		n := 0
		err := c.produce(ctx, p.stmt, p.params, func(text [][]byte, vals []any) error {
			if err := c.sendRow(enc, text, vals); err != nil {
				return err
			}
			n++
			return nil
		})
		if err != nil {
			return err
		}
		p.done = true
		c.send(&pgproto3.CommandComplete{CommandTag: commandTag(tag, n)})
		return nil
	}
	if !p.started {
		if err := c.materialize(ctx, p); err != nil {
			return err
		}
	}
	n := 0
	for p.remaining() > 0 && (maxRows <= 0 || n < maxRows) {
		var err error
		if p.text != nil {
			err = c.sendRow(enc, p.text[p.pos], nil)
			p.text[p.pos] = nil // sent rows are not needed again: forward-only
		} else {
			err = c.sendRow(enc, nil, p.vals[p.pos])
			p.vals[p.pos] = nil
		}
		if err != nil {
			return err
		}
		p.pos++
		n++
	}
	if suspend && p.remaining() > 0 {
		c.send(&pgproto3.PortalSuspended{})
		return nil
	}
	if suspend {
		p.done = true
	}
	c.send(&pgproto3.CommandComplete{CommandTag: commandTag(tag, n)})
	return nil
}

func (c *conn) sendRow(enc *rowEncoder, text [][]byte, vals []any) error {
	var out [][]byte
	var err error
	if text != nil || vals == nil {
		out, err = enc.encodeText(text)
	} else {
		out, err = enc.encodeValues(vals)
	}
	if err != nil {
		return err
	}
	c.send(&pgproto3.DataRow{Values: out})
	size := 7
	for _, v := range out {
		size += 4 + len(v)
	}
	return c.sentRow(size)
}

// materialize runs p's statement and keeps its rows, for reads in pieces,
// up to Options.MaxPortalBuffer bytes.
func (c *conn) materialize(ctx context.Context, p *portal) error {
	p.started = true
	held, limit := int64(0), c.srv.opts.MaxPortalBuffer
	tooBig := func(rowBytes int) error {
		if held += int64(rowBytes); held <= limit {
			return nil
		}
		return pgerr.New(pgerr.ProgramLimitExceeded, "result held for a partial read exceeds %d bytes", limit).
			WithHint("read the result in one Execute (no fetch size), narrow the query, or raise limits.max_portal_buffer")
	}
	err := c.produce(ctx, p.stmt, p.params, func(text [][]byte, vals []any) error {
		if vals != nil {
			if err := tooBig(16 * (len(vals) + 1)); err != nil { // local rows are small Go values
				return err
			}
			p.vals = append(p.vals, vals)
			return nil
		}
		// The driver reuses its slices: copy the row into one allocation.
		size := 0
		for _, v := range text {
			size += len(v)
		}
		if err := tooBig(size + 24*(len(text)+1)); err != nil {
			return err
		}
		buf := make([]byte, 0, size)
		row := make([][]byte, len(text))
		for i, v := range text {
			if v == nil {
				continue
			}
			buf = append(buf, v...)
			row[i] = buf[len(buf)-len(v) : len(buf) : len(buf)]
		}
		if p.text == nil {
			p.text = [][][]byte{}
		}
		p.text = append(p.text, row)
		return nil
	})
	if err != nil { // a failed read leaves nothing half-held
		p.text, p.vals, p.done = nil, nil, true
	}
	return err
}

// produce runs st and calls emit for each row: backend rows as text, local
// rows as Go values. An error from emit (the client is gone) is returned
// as is; a failure under a cancelled context becomes 57014.
func (c *conn) produce(ctx context.Context, st *planner.Statement, params []any, emit func(text [][]byte, vals []any) error) (err error) {
	defer func() { c.srv.opts.Metrics.Query(frontend, err) }()
	if err := ctx.Err(); err != nil {
		return contextError(ctx, err)
	}
	switch st.Kind {
	case planner.KindBackend:
		args := make([]any, len(st.Args))
		for i, idx := range st.Args {
			if idx < 0 || idx >= len(params) {
				return pgerr.New(pgerr.UndefinedParameter, "there is no parameter $%d", idx+1)
			}
			args[i] = params[idx]
		}
		var emitErr error
		start := time.Now()
		defer func() { c.srv.opts.Metrics.ObserveBackend(frontend, time.Since(start)) }()
		err := c.tenant.Driver.Query(ctx, st.SQL, args, func(values [][]byte) error {
			if values == nil {
				values = [][]byte{}
			}
			if err := emit(values, nil); err != nil {
				emitErr = err
				return err
			}
			return nil
		})
		if emitErr != nil {
			return emitErr
		}
		return contextError(ctx, err)
	case planner.KindLocal:
		if st.Local == nil {
			return pgerr.New(pgerr.InternalError, "local statement without an evaluator")
		}
		rows, err := st.Local(&c.sess.Session, params)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r == nil {
				r = []any{}
			}
			if err := emit(nil, r); err != nil {
				return err
			}
		}
		return nil
	}
	return pgerr.New(pgerr.InternalError, "statement kind %d returns no rows", st.Kind)
}

// commandTag appends the row count where PostgreSQL does.
func commandTag(tag string, n int) []byte {
	switch tag {
	case "SELECT", "FETCH", "MOVE", "UPDATE", "DELETE", "COPY":
		return strconv.AppendInt([]byte(tag+" "), int64(n), 10)
	case "INSERT":
		return strconv.AppendInt([]byte("INSERT 0 "), int64(n), 10)
	}
	return []byte(tag)
}

var defaultTags = map[planner.UtilityKind]string{
	planner.UtilitySet:           "SET",
	planner.UtilityReset:         "RESET",
	planner.UtilityBegin:         "BEGIN",
	planner.UtilityCommit:        "COMMIT",
	planner.UtilityRollback:      "ROLLBACK",
	planner.UtilityDiscardAll:    "DISCARD ALL",
	planner.UtilityDeallocate:    "DEALLOCATE",
	planner.UtilityDeclareCursor: "DECLARE CURSOR",
	planner.UtilityFetch:         "FETCH",
	planner.UtilityClose:         "CLOSE CURSOR",
}

// execUtility applies a session statement.
func (c *conn) execUtility(ctx context.Context, p *portal, simple bool) error {
	u := p.stmt.Utility
	tag := p.stmt.Tag
	if tag == "" {
		tag = defaultTags[u.Kind]
	}
	before := c.sess.snapshotReported()
	switch u.Kind {
	case planner.UtilitySet:
		if _, err := c.sess.set(u.Name, u.Value, u.Local); err != nil {
			return err
		}
		if u.Local && c.sess.tx == txIdle {
			c.notice(codeNoActiveSQLTx, "SET LOCAL can only be used in transaction blocks")
		}
	case planner.UtilityReset:
		c.sess.reset(u.Name)
	case planner.UtilityBegin:
		if c.sess.tx != txIdle {
			c.notice(codeActiveSQLTx, "there is already a transaction in progress")
		} else {
			c.sess.begin()
		}
	case planner.UtilityCommit, planner.UtilityRollback:
		switch c.sess.tx {
		case txIdle:
			c.notice(codeNoActiveSQLTx, "there is no transaction in progress")
		case txFailed:
			c.sess.end(false)
			tag = "ROLLBACK"
		default:
			c.sess.end(u.Kind == planner.UtilityCommit)
		}
		for name, cur := range c.cursors {
			if cur.inTx {
				delete(c.cursors, name)
			}
		}
	case planner.UtilityDiscardAll:
		if c.sess.tx != txIdle {
			return pgerr.New(codeActiveSQLTx, "DISCARD ALL cannot run inside a transaction block")
		}
		c.sess.reset("all")
		clear(c.stmts)
		clear(c.portals)
		clear(c.cursors)
	case planner.UtilityDeallocate:
		if strings.EqualFold(u.Name, "all") {
			clear(c.stmts)
			if p.stmt.Tag == "" {
				tag = "DEALLOCATE ALL"
			}
			break
		}
		if _, ok := c.stmts[u.Name]; !ok {
			return pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", u.Name)
		}
		delete(c.stmts, u.Name)
	case planner.UtilityDeclareCursor:
		if _, ok := c.cursors[u.Name]; ok {
			return pgerr.New(pgerr.DuplicateCursor, "cursor %q already exists", u.Name)
		}
		cur := u.Cursor
		if cur == nil || (cur.Kind != planner.KindBackend && cur.Kind != planner.KindLocal) {
			return pgerr.New(pgerr.FeatureNotSupported, "DECLARE CURSOR can only be used with a query that returns rows")
		}
		c.cursors[u.Name] = &portal{stmt: cur, params: p.params, inTx: c.sess.tx != txIdle}
	case planner.UtilityFetch:
		cur, ok := c.cursors[u.Name]
		if !ok {
			return pgerr.New(pgerr.InvalidCursorName, "cursor %q does not exist", u.Name)
		}
		formats, err := c.resultFormats(p, cur.stmt.Columns, simple)
		if err != nil {
			return err
		}
		if simple {
			c.send(rowDescription(cur.stmt.Columns, formats))
		}
		if !cur.started {
			if err := c.materialize(ctx, cur); err != nil {
				return err
			}
		}
		n := int(u.Count)
		if u.Count < 0 {
			n = 0 // all
		} else if n == 0 {
			c.send(&pgproto3.CommandComplete{CommandTag: commandTag("FETCH", 0)})
			return nil
		}
		return c.sendRows(ctx, cur, formats, n, "FETCH", false)
	case planner.UtilityClose:
		if strings.EqualFold(u.Name, "all") {
			clear(c.cursors)
			break
		}
		if _, ok := c.cursors[u.Name]; !ok {
			return pgerr.New(pgerr.InvalidCursorName, "cursor %q does not exist", u.Name)
		}
		delete(c.cursors, u.Name)
	default:
		return pgerr.New(pgerr.FeatureNotSupported, "utility statement %d is not supported", u.Kind)
	}
	c.reportChanges(before)
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	return nil
}

// reportChanges sends ParameterStatus for each reported parameter whose
// value changed since before.
func (c *conn) reportChanges(before map[string]string) {
	c.sess.ApplicationName = c.sess.Settings["application_name"]
	for _, k := range reportedOrder {
		if v := c.sess.Settings[k]; v != before[k] {
			c.send(&pgproto3.ParameterStatus{Name: reported[k], Value: v})
		}
	}
}

// columnsOf returns the result columns of st, and false when st returns
// no rows (NoData). A FETCH has its cursor's columns.
func (c *conn) columnsOf(st *planner.Statement) ([]planner.Column, bool) {
	switch st.Kind {
	case planner.KindBackend, planner.KindLocal:
		return st.Columns, true
	case planner.KindUtility:
		if st.Utility != nil && st.Utility.Kind == planner.UtilityFetch {
			if cur, ok := c.cursors[st.Utility.Name]; ok {
				return cur.stmt.Columns, true
			}
		}
	}
	return nil, false
}
