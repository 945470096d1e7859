package catalog

import (
	"encoding/binary"

	"github.com/jackc/pgx/v5/pgtype"
	pg_query "github.com/pganalyze/pg_query_go/v5"
	"google.golang.org/protobuf/proto"

	"github.com/lattice-sql/lattice/schema"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

// A Result is a planned catalog statement: its columns and parameter types
// are known before execution (for Describe); Rows computes the rows for
// one execution. A Result is immutable and safe for concurrent use.
type Result struct {
	Tag       string
	Columns   []Column
	ParamOIDs []uint32
	Rows      func(s *Session, params []any) ([][]any, error)
}

// Plan compiles a SELECT (including set operations, CTEs and VALUES) that
// reads the catalog of model m, or no table at all. stmt is a RawStmt's
// Stmt. paramOIDs are the parameter types the client declared (0 or
// missing: inferred from context, text when there is none).
func Plan(m *schema.Model, stmt *pg_query.Node, paramOIDs []uint32) (res *Result, err error) {
	defer recoverInternal(&err)
	sel := stmt.GetSelectStmt()
	if sel == nil {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "only SELECT is supported on the catalog")
	}
	snap := snapshotOf(m)
	// BI tools send the same catalog queries over and over, often through
	// the simple protocol: compiled results are cached per model, keyed by
	// the statement's serialized parse tree and the declared types.
	key, keyErr := planKey(stmt, paramOIDs)
	if keyErr == nil {
		if r := snap.cachedPlan(key); r != nil {
			return r, nil
		}
		defer func() {
			if err == nil {
				snap.storePlan(key, res)
			}
		}()
	}
	cc := &compileCtx{snap: snap, paramTypes: append([]uint32(nil), paramOIDs...), refs: referencedNames(stmt)}
	root, err := cc.compileQuery(sel, nil)
	if err != nil {
		return nil, err
	}
	cols := root.columns()
	res = &Result{Tag: "SELECT", Columns: make([]Column, 0, len(cols))}
	types := make([]uint32, 0, len(cols))
	for _, c := range cols {
		if c.hidden {
			continue
		}
		t := c.typ
		if t == unknownT || t == paramType {
			t = textT
		}
		types = append(types, t)
		col := Column{Name: c.name, OID: t, TypeSize: typeLen(t), TypeMod: -1}
		if c.table != 0 {
			col.TableOID, col.AttNum = c.table, c.attnum
		}
		res.Columns = append(res.Columns, col)
	}
	for i, t := range cc.paramTypes {
		if t == 0 {
			cc.paramTypes[i] = textT
		}
	}
	res.ParamOIDs = cc.paramTypes
	visible := make([]int, 0, len(cols))
	for i, c := range cols {
		if !c.hidden {
			visible = append(visible, i)
		}
	}
	res.Rows = func(s *Session, params []any) (_ [][]any, err error) {
		defer recoverInternal(&err)
		if s == nil {
			s = &Session{}
		}
		x := &execCtx{snap: snap, sess: s, params: params, ctes: map[*cteDef][][]any{}}
		rows, err := root.run(&env{x: x})
		if err != nil {
			return nil, pgerr.From(err)
		}
		out := make([][]any, len(rows))
		for i, r := range rows {
			o := make([]any, len(visible))
			for j, k := range visible {
				o[j] = outputValue(x, r[k], types[j])
			}
			out[i] = o
		}
		return out, nil
	}
	return res, nil
}

// RegisterTypes registers on m the types catalog results use that pgtype
// does not know (regclass, regtype, regproc, regnamespace, regrole,
// int2vector, oidvector): Rows returns their text form, which is what
// Postgres sends in text format. It also lets "char" encode from a Go
// string (Rows returns "" for an empty "char", which Postgres prints as
// an empty string). The proxy must call it on the Map it encodes with.
func RegisterTypes(m *pgtype.Map) {
	m.RegisterType(&pgtype.Type{Name: "char", OID: charT, Codec: qcharCodec{}})
	for _, t := range []struct {
		name string
		oid  uint32
	}{{"regclass", regclassT}, {"regtype", regtypeT}, {"regproc", regprocT}, {"regnamespace", regnamespaceT}, {"regrole", regroleT}, {"int2vector", int2vectorT}, {"oidvector", oidvectorT}, {"pg_node_tree", pgNodeTreeT}} {
		if _, ok := m.TypeForOID(t.oid); !ok {
			m.RegisterType(&pgtype.Type{Name: t.name, OID: t.oid, Codec: &pgtype.TextFormatOnlyCodec{Codec: pgtype.TextCodec{}}})
		}
	}
}

// qcharCodec is pgtype's "char" codec that also encodes Go strings.
type qcharCodec struct{ pgtype.QCharCodec }

func (c qcharCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if _, ok := value.(string); ok {
		return encodeQCharString{binary: format == pgtype.BinaryFormatCode}
	}
	return c.QCharCodec.PlanEncode(m, oid, format, value)
}

type encodeQCharString struct{ binary bool }

func (e encodeQCharString) Encode(value any, buf []byte) ([]byte, error) {
	s := value.(string)
	switch {
	case s != "":
		return append(buf, s[0]), nil
	case e.binary:
		return append(buf, 0), nil
	}
	return buf, nil
}

// recoverInternal turns a panic of the executor into an XX000 error: a
// malformed catalog query must not take the connection down.
func recoverInternal(err *error) {
	if r := recover(); r != nil {
		*err = pgerr.New(pgerr.InternalError, "internal error in catalog query: %v", r)
	}
}

func planKey(stmt *pg_query.Node, paramOIDs []uint32) (string, error) {
	b, err := proto.Marshal(stmt)
	if err != nil {
		return "", err
	}
	for _, o := range paramOIDs {
		b = binary.LittleEndian.AppendUint32(b, o)
	}
	return string(b), nil
}
