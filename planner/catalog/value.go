package catalog

import (
	"strconv"
	"strings"
	"time"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// Internal values: nil (NULL), bool, int64 (every integer and OID type,
// regclass and regtype included), float64 (float and numeric), string
// (text-like types, "char", regproc), time.Time, []any (arrays, int2vector
// and oidvector, records). Result rows are converted to the Go values
// pgtype encodes by outputValue.

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// compareValues orders two non-NULL values; ok is false when they are not
// comparable.
func compareValues(a, b any) (int, bool) {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmp3(x < y, x > y), true
		case float64:
			f := float64(x)
			return cmp3(f < y, f > y), true
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(y), 10, 64); err == nil {
				return cmp3(x < n, x > n), true
			}
		}
	case float64:
		switch y := b.(type) {
		case float64:
			return cmp3(x < y, x > y), true
		case int64:
			f := float64(y)
			return cmp3(x < f, x > f), true
		}
	case string:
		switch y := b.(type) {
		case string:
			return strings.Compare(x, y), true
		case int64:
			c, ok := compareValues(b, a)
			return -c, ok
		}
	case bool:
		if y, ok := b.(bool); ok {
			return cmp3(!x && y, x && !y), true
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y), true
		}
	case []any:
		if y, ok := b.([]any); ok {
			for i := 0; i < len(x) && i < len(y); i++ {
				if x[i] == nil || y[i] == nil {
					if x[i] == nil && y[i] == nil {
						continue
					}
					if x[i] == nil {
						return 1, true
					}
					return -1, true
				}
				if c, ok := compareValues(x[i], y[i]); !ok || c != 0 {
					return c, ok
				}
			}
			return cmp3(len(x) < len(y), len(x) > len(y)), true
		}
	}
	return 0, false
}

func cmp3(less, greater bool) int {
	if less {
		return -1
	}
	if greater {
		return 1
	}
	return 0
}

// sortCompare orders values for ORDER BY; NULLs sort last (as Postgres
// does ascending) unless the key says otherwise.
func sortCompare(a, b any) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return 1
		}
		return -1
	}
	c, _ := compareValues(a, b)
	return c
}

// appendKey appends an unambiguous encoding of v, for grouping and DISTINCT.
func appendKey(buf []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, 'N')
	case bool:
		if x {
			return append(buf, 'T')
		}
		return append(buf, 'F')
	case int64:
		buf = append(buf, 'i')
		return strconv.AppendInt(buf, x, 10)
	case float64:
		if x == float64(int64(x)) {
			buf = append(buf, 'i')
			return strconv.AppendInt(buf, int64(x), 10)
		}
		buf = append(buf, 'f')
		return strconv.AppendFloat(buf, x, 'g', -1, 64)
	case string:
		buf = append(buf, 's')
		buf = strconv.AppendInt(buf, int64(len(x)), 10)
		buf = append(buf, ':')
		return append(buf, x...)
	case time.Time:
		buf = append(buf, 't')
		return strconv.AppendInt(buf, x.UnixNano(), 10)
	case []any:
		buf = append(buf, '[')
		for _, e := range x {
			buf = appendKey(buf, e)
			buf = append(buf, ',')
		}
		return append(buf, ']')
	}
	return append(buf, '?')
}

// toText is the text output of v as a value of type t (the ::text cast).
func toText(x *execCtx, v any, t uint32) string {
	switch y := v.(type) {
	case string:
		return y
	case bool:
		if y {
			return "t"
		}
		return "f"
	case int64:
		switch t {
		case regclassT:
			if y == 0 {
				return "-"
			}
			return x.snap.relationName(uint32(y))
		case regtypeT:
			if y == 0 {
				return "-"
			}
			if _, ok := types[uint32(y)]; !ok && x != nil {
				for _, r := range x.snap.rels {
					switch uint32(y) {
					case r.typeOID:
						return quoteIdentIfNeeded(r.name)
					case r.arrayOID:
						return quoteIdentIfNeeded(r.name) + "[]"
					}
				}
			}
			return formatType(uint32(y), -1)
		case regprocT:
			if y == 0 {
				return "-"
			}
			if name, ok := procNames[y]; ok {
				return name
			}
			return itoa(y)
		case regnamespaceT:
			return namespaceName(y)
		case regroleT:
			return x.sess.User
		}
		return itoa(y)
	case float64:
		return strconv.FormatFloat(y, 'f', -1, 64)
	case time.Time:
		if t == timestamptzT {
			return y.Format("2006-01-02 15:04:05.999999-07")
		}
		return y.Format("2006-01-02 15:04:05.999999")
	case []any:
		et := elemOf(t)
		if t == int2vectorT || t == oidvectorT {
			parts := make([]string, len(y))
			for i, e := range y {
				parts[i] = toText(x, e, et)
			}
			return strings.Join(parts, " ")
		}
		var b strings.Builder
		b.WriteByte('{')
		for i, e := range y {
			if i > 0 {
				b.WriteByte(',')
			}
			if e == nil {
				b.WriteString("NULL")
				continue
			}
			s := toText(x, e, et)
			if s == "" || strings.ContainsAny(s, `{},"\ `) || strings.EqualFold(s, "null") {
				b.WriteByte('"')
				b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s))
				b.WriteByte('"')
			} else {
				b.WriteString(s)
			}
		}
		b.WriteByte('}')
		return b.String()
	}
	return ""
}

func namespaceName(oid int64) string {
	switch oid {
	case pgCatalogNS:
		return "pg_catalog"
	case publicNS:
		return "public"
	case infoSchemaNS:
		return "information_schema"
	case 99:
		return "pg_toast"
	}
	return itoa(oid)
}

// castValue converts v from type `from` to type `to`.
func castValue(x *execCtx, v any, from, to uint32) (any, error) {
	if v == nil || from == to && to != charT {
		return v, nil
	}
	if et := elemOf(to); et != 0 {
		switch y := v.(type) {
		case string:
			if to == int2vectorT || to == oidvectorT {
				out := []any{}
				for _, f := range strings.Fields(y) {
					n, err := strconv.ParseInt(f, 10, 64)
					if err != nil {
						return nil, badInput(to, y)
					}
					out = append(out, n)
				}
				return out, nil
			}
			arr, err := parseArray(y, textT)
			if err != nil {
				return nil, pgerr.New(pgerr.InvalidTextRepresentation, "malformed array literal: %q", y)
			}
			for i, e := range arr {
				if arr[i], err = castValue(x, e, textT, et); err != nil {
					return nil, err
				}
			}
			return arr, nil
		case []any:
			fe := elemOf(from)
			out := make([]any, len(y))
			for i, e := range y {
				c, err := castValue(x, e, fe, et)
				if err != nil {
					return nil, err
				}
				out[i] = c
			}
			return out, nil
		}
		return nil, cannotCast(from, to)
	}
	switch to {
	case textT, varcharT, nameT, bpcharT, unknownT:
		if b, ok := v.(bool); ok {
			// bool::text spells the words out; the output function does not.
			if b {
				return "true", nil
			}
			return "false", nil
		}
		return toText(x, v, from), nil
	case charT:
		s := toText(x, v, from)
		if len(s) > 1 {
			s = s[:1]
		}
		return s, nil
	case regprocT:
		if s, ok := v.(string); ok {
			return regprocIn(s)
		}
	case boolT:
		switch y := v.(type) {
		case bool:
			return y, nil
		case int64:
			return y != 0, nil
		case string:
			b, err := parseText(y, boolT)
			if err != nil {
				return nil, badInput(to, y)
			}
			return b, nil
		}
	case regclassT:
		if s, ok := v.(string); ok {
			return regclassIn(x, s)
		}
	case regtypeT:
		if s, ok := v.(string); ok {
			ti := typeByName[strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "pg_catalog.")]
			if ti == nil {
				return nil, pgerr.New(pgerr.UndefinedObject, "type %q does not exist", s)
			}
			return int64(ti.oid), nil
		}
	case regnamespaceT:
		if s, ok := v.(string); ok {
			for _, ns := range []int64{pgCatalogNS, publicNS, infoSchemaNS, 99} {
				if namespaceName(ns) == s {
					return ns, nil
				}
			}
			return nil, pgerr.New(pgerr.UndefinedObject, "schema %q does not exist", s)
		}
	case regroleT:
		if _, ok := v.(string); ok {
			return int64(bootstrapRole), nil
		}
	case timestampT, timestamptzT, dateT:
		switch y := v.(type) {
		case time.Time:
			return y, nil
		case string:
			for _, layout := range []string{"2006-01-02 15:04:05.999999999Z07", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02"} {
				if t, err := time.Parse(layout, strings.TrimSpace(y)); err == nil {
					return t, nil
				}
			}
			return nil, badInput(to, y)
		}
	}
	if isNumeric(to) {
		switch y := v.(type) {
		case int64:
			if to == float4T || to == float8T || to == numericT {
				return float64(y), nil
			}
			return y, nil
		case float64:
			if isIntLike(to) {
				if y < 0 {
					return int64(y - 0.5), nil
				}
				return int64(y + 0.5), nil
			}
			return y, nil
		case bool:
			if y {
				return int64(1), nil
			}
			return int64(0), nil
		case string:
			if to == regclassT || to == regtypeT {
				break
			}
			n, err := parseText(y, to)
			if err != nil {
				return nil, badInput(to, y)
			}
			return n, nil
		}
	}
	return nil, cannotCast(from, to)
}

func badInput(t uint32, s string) error {
	name := typeName(t)
	switch t {
	case int4T:
		name = "integer"
	case int2T:
		name = "smallint"
	case int8T:
		name = "bigint"
	case boolT:
		name = "boolean"
	}
	return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", name, s)
}

func cannotCast(from, to uint32) error {
	return pgerr.New(pgerr.FeatureNotSupported, "cannot cast type %s to %s", formatType(from, -1), formatType(to, -1))
}

// regclassIn resolves a relation name as the regclass input function does.
func regclassIn(x *execCtx, s string) (any, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	parts, err := splitQualifiedName(s)
	if err != nil {
		return nil, err
	}
	sch, name := "", parts[len(parts)-1]
	if len(parts) > 1 {
		sch = parts[len(parts)-2]
	}
	if oid, ok := x.snap.relationOID(sch, name); ok {
		return int64(oid), nil
	}
	return nil, pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", s)
}

// splitQualifiedName splits a.b."C" into its identifiers, folding unquoted
// ones to lower case.
func splitQualifiedName(s string) ([]string, error) {
	var parts []string
	var cur strings.Builder
	inQ, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' && inQ && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			inQ, quoted = !inQ, true
		case c == '.' && !inQ:
			parts = append(parts, cur.String())
			cur.Reset()
			quoted = false
		case !inQ && !quoted:
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			cur.WriteByte(c)
		default:
			cur.WriteByte(c)
		}
	}
	if inQ {
		return nil, pgerr.New(pgerr.InvalidTextRepresentation, "invalid name syntax")
	}
	parts = append(parts, strings.TrimSpace(cur.String()))
	return parts, nil
}

// outputValue converts an internal value to the Go value pgtype encodes
// for the result column type t.
func outputValue(x *execCtx, v any, t uint32) any {
	if v == nil {
		return nil
	}
	switch t {
	case int2T:
		if n, ok := v.(int64); ok {
			return int16(n)
		}
	case int4T:
		if n, ok := v.(int64); ok {
			return int32(n)
		}
	case oidT, xidT:
		if n, ok := v.(int64); ok {
			return uint32(n)
		}
	case regclassT, regtypeT, regprocT, regnamespaceT, regroleT, int2vectorT, oidvectorT:
		return toText(x, v, t)
	case float4T:
		if f, ok := v.(float64); ok {
			return float32(f)
		}
	}
	if arr, ok := v.([]any); ok {
		return outputArray(x, arr, t)
	}
	return v
}

func outputArray(x *execCtx, arr []any, t uint32) any {
	et := elemOf(t)
	switch et {
	case int2T:
		out := make([]*int16, len(arr))
		for i, e := range arr {
			if n, ok := e.(int64); ok {
				v := int16(n)
				out[i] = &v
			}
		}
		return out
	case int4T:
		out := make([]*int32, len(arr))
		for i, e := range arr {
			if n, ok := e.(int64); ok {
				v := int32(n)
				out[i] = &v
			}
		}
		return out
	case int8T:
		out := make([]*int64, len(arr))
		for i, e := range arr {
			if n, ok := e.(int64); ok {
				out[i] = &n
			}
		}
		return out
	case oidT:
		out := make([]*uint32, len(arr))
		for i, e := range arr {
			if n, ok := e.(int64); ok {
				v := uint32(n)
				out[i] = &v
			}
		}
		return out
	case boolT:
		out := make([]*bool, len(arr))
		for i, e := range arr {
			if b, ok := e.(bool); ok {
				out[i] = &b
			}
		}
		return out
	case float8T, float4T, numericT:
		out := make([]*float64, len(arr))
		for i, e := range arr {
			if f, ok := e.(float64); ok {
				out[i] = &f
			}
		}
		return out
	}
	out := make([]*string, len(arr))
	for i, e := range arr {
		if e != nil {
			s := toText(x, e, et)
			out[i] = &s
		}
	}
	return out
}

// regprocIn resolves a function name as the regproc input function does.
func regprocIn(s string) (any, error) {
	s = strings.TrimSpace(s)
	if s == "-" {
		return int64(0), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	name := strings.TrimPrefix(s, "pg_catalog.")
	if oid, ok := procByName[name]; ok {
		return oid, nil
	}
	return nil, pgerr.New(pgerr.UndefinedFunction, "function %q does not exist", s)
}
