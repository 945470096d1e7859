package catalog

import (
	"bufio"
	"embed"
	"fmt"
	"strconv"
	"strings"
)

// A col is one column of a catalog table, declared with its PostgreSQL 15
// type. Not-null columns default to their type's zero value in rows built
// with rowBuilder, so that clients filtering on them (NOT relispartition)
// see what Postgres would show.
type col struct {
	name    string
	typ     uint32
	notNull bool
}

// A table is a virtual catalog table. rows is nil for tables that are
// always empty in a Lattice database (no triggers, policies, ...).
type table struct {
	schema, name string
	cols         []col
	// rows computes the rows; tables whose rows depend only on the model
	// are computed once per model and cached (see snapshot.rowsOf).
	rows func(c *snapshot, s *Session) [][]any
	// perSession marks tables whose rows read the session (user, settings).
	perSession bool

	index map[string]int
}

// registry is every catalog table Lattice emulates. Adding a table: write
// its file (columns as data, a rows function) and list it here.
var registry = []*table{
	pgNamespace, pgClass, pgAttribute, pgType, pgDatabase, pgIndex,
	pgConstraint, pgDescription, pgAttrdef, pgAm, pgProc, pgRoles, pgUser,
	pgAuthid, pgAuthMembers, pgSettings, pgEnum, pgRange, pgInherits,
	pgExtension, pgCollation, pgTables, pgViews, pgMatviews, pgIndexes,
	pgStatUserTables, pgStatActivity, pgTablespace, pgTrigger, pgRewrite,
	pgPolicy, pgForeignTable, pgForeignServer, pgForeignDataWrapper,
	pgPartitionedTable, pgStatisticExt, pgPublication, pgShdescription,
	pgOperator, pgCast, pgSequence, pgSequences, pgDepend, pgLanguage,
	pgEventTrigger, pgLocks, pgTimezoneNames, pgPublicationNamespace, pgPublicationRel,
	pgConversion,

	isTables, isColumns, isSchemata, isViews, isTableConstraints,
	isKeyColumnUsage, isReferentialConstraints, isRoutines, isParameters,
	isCharacterSets, isConstraintColumnUsage, isTablePrivileges,
	isColumnPrivileges, isSequences, isCheckConstraints, isTriggers,
	isElementTypes,
}

// tablesByName maps "schema.name" to the table. It is built as a package
// variable, before any init function reads a table's column index.
var tablesByName = indexTables()

func indexTables() map[string]*table {
	tablesByName := map[string]*table{}
	for _, t := range registry {
		t.index = make(map[string]int, len(t.cols))
		for i, c := range t.cols {
			t.index[c.name] = i
		}
		key := t.schema + "." + t.name
		if tablesByName[key] != nil {
			panic("catalog: table registered twice: " + key)
		}
		tablesByName[key] = t
	}
	return tablesByName
}

// row builds one row from name/value pairs; unnamed columns get their
// default (zero value when not null, NULL otherwise).
func (t *table) row(kv ...any) []any {
	r := make([]any, len(t.cols))
	for i, c := range t.cols {
		if c.notNull {
			r[i] = zeroOf(c.typ)
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		name := kv[i].(string)
		j, ok := t.index[name]
		if !ok {
			panic("catalog: " + t.name + " has no column " + name)
		}
		r[j] = kv[i+1]
	}
	return r
}

func zeroOf(typ uint32) any {
	switch typ {
	case boolT:
		return false
	case int2T, int4T, int8T, oidT, xidT, regclassT, regtypeT, regprocT:
		return int64(0)
	case float4T, float8T, numericT:
		return float64(0)
	case charT:
		return ""
	case nameT, textT, varcharT:
		return ""
	}
	if elemOf(typ) != 0 {
		return []any{}
	}
	return nil
}

//go:embed static/*.tsv
var staticFiles embed.FS

// staticRows loads rows dumped from a real PostgreSQL 15 with COPY (text
// format) and converts each field to t's column type.
func staticRows(t *table, file string) [][]any {
	f, err := staticFiles.Open("static/" + file)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	var rows [][]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != len(t.cols) {
			panic(fmt.Sprintf("catalog: %s: %d fields, want %d", file, len(fields), len(t.cols)))
		}
		r := make([]any, len(fields))
		for i, s := range fields {
			if s == `\N` {
				continue
			}
			v, err := parseText(copyUnescape(s), t.cols[i].typ)
			if err != nil {
				panic(fmt.Sprintf("catalog: %s column %s: %v", file, t.cols[i].name, err))
			}
			r[i] = v
		}
		rows = append(rows, r)
	}
	return rows
}

func copyUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// parseText converts PostgreSQL text output to the internal value of typ.
func parseText(s string, typ uint32) (any, error) {
	if typ == int2vectorT || typ == oidvectorT {
		out := []any{}
		for _, f := range strings.Fields(s) {
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, nil
	}
	if et := elemOf(typ); et != 0 {
		return parseArray(s, et)
	}
	switch typ {
	case boolT:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "t", "true", "on", "yes", "y", "1":
			return true, nil
		case "f", "false", "off", "no", "n", "0":
			return false, nil
		}
		return nil, fmt.Errorf("invalid input syntax for type boolean: %q", s)
	case int2T, int4T, int8T, oidT, xidT, regclassT, regtypeT, regprocT:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid input syntax for type %s: %q", typeName(typ), s)
		}
		return n, nil
	case float4T, float8T, numericT:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, fmt.Errorf("invalid input syntax for type %s: %q", typeName(typ), s)
		}
		return f, nil
	}
	return s, nil
}

func parseArray(s string, et uint32) ([]any, error) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, fmt.Errorf("malformed array literal: %q", s)
	}
	body := s[1 : len(s)-1]
	out := []any{}
	if body == "" {
		return out, nil
	}
	var cur strings.Builder
	quoted, inQ := false, false
	flush := func() error {
		v := cur.String()
		cur.Reset()
		if !quoted && strings.EqualFold(v, "NULL") {
			out = append(out, nil)
		} else {
			x, err := parseText(v, et)
			if err != nil {
				return err
			}
			out = append(out, x)
		}
		quoted = false
		return nil
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case inQ && c == '\\' && i+1 < len(body):
			i++
			cur.WriteByte(body[i])
		case c == '"':
			inQ = !inQ
			quoted = true
		case !inQ && c == ',':
			if err := flush(); err != nil {
				return nil, err
			}
		default:
			cur.WriteByte(c)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}
