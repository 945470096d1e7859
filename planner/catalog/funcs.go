package catalog

import (
	"bufio"
	"strconv"
	"strings"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v5"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// A funcDef is a scalar function. ret gives the static result type from
// the argument types; eval gets the evaluated arguments (NULL arguments
// short-circuit to NULL when strict).
type funcDef struct {
	minArgs, maxArgs int
	strict           bool
	ret              func(args []*expr) uint32
	// argTypes: the type each argument is coerced to (0: leave as is).
	argTypes []uint32
	eval     func(x *execCtx, args []any, types []uint32) (any, error)
}

func fixed(t uint32) func([]*expr) uint32 { return func([]*expr) uint32 { return t } }

func firstArgType(args []*expr) uint32 {
	if len(args) == 0 || args[0].typ == unknownT {
		return textT
	}
	return args[0].typ
}

// funcName is the function's unqualified name (pg_catalog. is implied).
func funcName(f *pg_query.FuncCall) string {
	return strings.ToLower(f.Funcname[len(f.Funcname)-1].GetString_().GetSval())
}

func (sc *scope) compileFuncCall(f *pg_query.FuncCall) (*expr, error) {
	name := funcName(f)
	if len(f.Funcname) == 2 {
		switch s := f.Funcname[0].GetString_().GetSval(); s {
		case "pg_catalog", "information_schema":
		default:
			return nil, errf(pgerr.UndefinedFunction, "function %s.%s does not exist", s, name)
		}
	}
	if f.Over != nil {
		return sc.compileWindow(name, f)
	}
	if agg := aggregates[name]; agg != nil {
		return sc.compileAggregate(name, agg, f)
	}
	if len(f.AggOrder) > 0 || f.AggFilter != nil || f.AggDistinct || f.AggStar {
		if name != "count" {
			return nil, errf(pgerr.SyntaxError, "%s is not an aggregate function", name)
		}
	}
	args, err := sc.compileList(f.Args)
	if err != nil {
		return nil, err
	}
	if srfs[name] {
		if sc.srf == nil {
			return nil, unsupported("set-returning function " + name + " here")
		}
		fn, err := lookupSRF(name, args)
		if err != nil {
			return nil, err
		}
		for i := range args {
			if args[i].typ == paramType {
				args[i] = sc.resolveParam(args[i], fn.argType(i, args))
			}
		}
		i := len(sc.srf.srfs)
		sc.srf.srfs = append(sc.srf.srfs, &srfCall{fn: fn, args: args})
		return &expr{typ: fn.ret(args), name: name, fields: fn.fields, fieldTypes: fn.fieldTypes, eval: func(e *env) (any, error) {
			return e.srfs[i], nil
		}}, nil
	}
	fn := functions[name]
	if fn == nil {
		return nil, errf(pgerr.UndefinedFunction, "function %s(%s) does not exist", name, argTypeList(args)).
			WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
	}
	if len(args) < fn.minArgs || fn.maxArgs >= 0 && len(args) > fn.maxArgs {
		return nil, errf(pgerr.UndefinedFunction, "function %s(%s) does not exist", name, argTypeList(args))
	}
	for i := range args {
		if i < len(fn.argTypes) && fn.argTypes[i] != 0 {
			args[i] = sc.coerce(args[i], fn.argTypes[i])
		} else if args[i].typ == paramType {
			args[i] = sc.resolveParam(args[i], textT)
		} else if args[i].typ == unknownT {
			args[i] = castExpr(args[i], textT)
		}
	}
	types := make([]uint32, len(args))
	for i, a := range args {
		types[i] = a.typ
	}
	strict := fn.strict
	vals := func(e *env) ([]any, bool, error) {
		out := make([]any, len(args))
		for i, a := range args {
			v, err := a.eval(e)
			if err != nil {
				return nil, false, err
			}
			if v == nil && strict {
				return nil, true, nil
			}
			out[i] = v
		}
		return out, false, nil
	}
	return &expr{typ: fn.ret(args), name: name, eval: func(e *env) (any, error) {
		v, null, err := vals(e)
		if err != nil || null {
			return nil, err
		}
		return fn.eval(e.x, v, types)
	}}, nil
}

func argTypeList(args []*expr) string {
	var parts []string
	for _, a := range args {
		if a.typ == unknownT {
			parts = append(parts, "unknown")
			continue
		}
		parts = append(parts, formatType(a.typ, -1))
	}
	return strings.Join(parts, ", ")
}

// functions are the scalar functions clients call in catalog queries.
var functions map[string]*funcDef

func init() {
	sessionName := func(get func(*execCtx) string) *funcDef {
		return &funcDef{ret: fixed(nameT), eval: func(x *execCtx, _ []any, _ []uint32) (any, error) { return get(x), nil }}
	}
	alwaysTrue := &funcDef{minArgs: 1, maxArgs: 4, strict: true, ret: fixed(boolT), eval: func(*execCtx, []any, []uint32) (any, error) { return true, nil }}
	text1 := func(f func(string) any, ret uint32) *funcDef {
		return &funcDef{minArgs: 1, maxArgs: 1, strict: true, ret: fixed(ret), argTypes: []uint32{textT}, eval: func(_ *execCtx, a []any, _ []uint32) (any, error) { return f(a[0].(string)), nil }}
	}
	functions = map[string]*funcDef{
		"version": {ret: fixed(textT), eval: func(x *execCtx, _ []any, _ []uint32) (any, error) {
			return "PostgreSQL " + setting(x.sess, "server_version") + " (Lattice) on x86_64-pc-linux-gnu, compiled by Go, 64-bit", nil
		}},
		"current_database": sessionName(func(x *execCtx) string { return x.sess.Database }),
		"current_catalog":  sessionName(func(x *execCtx) string { return x.sess.Database }),
		"current_user":     sessionName(func(x *execCtx) string { return x.sess.User }),
		"session_user":     sessionName(func(x *execCtx) string { return x.sess.User }),
		"user":             sessionName(func(x *execCtx) string { return x.sess.User }),
		"current_schema":   {ret: fixed(nameT), eval: func(x *execCtx, _ []any, _ []uint32) (any, error) { return currentSchema(x.sess), nil }},
		"current_schemas": {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{boolT}, ret: fixed(nameArrT), eval: func(x *execCtx, a []any, _ []uint32) (any, error) {
			var out []any
			if a[0].(bool) {
				out = append(out, "pg_catalog")
			}
			for _, s := range searchPath(x.sess) {
				if s != "pg_catalog" || !a[0].(bool) {
					out = append(out, s)
				}
			}
			return out, nil
		}},
		"current_setting": {minArgs: 1, maxArgs: 2, strict: true, argTypes: []uint32{textT, boolT}, ret: fixed(textT), eval: func(x *execCtx, a []any, _ []uint32) (any, error) {
			v, ok := lookupSetting(x.sess, a[0].(string))
			if !ok {
				if len(a) > 1 && a[1].(bool) {
					return nil, nil
				}
				return nil, errf(pgerr.UndefinedObject, "unrecognized configuration parameter %q", a[0].(string))
			}
			return v, nil
		}},
		"set_config": {minArgs: 3, maxArgs: 3, argTypes: []uint32{textT, textT, boolT}, ret: fixed(textT), eval: func(x *execCtx, a []any, _ []uint32) (any, error) {
			// The session belongs to the proxy: the value is echoed, not kept.
			return a[1], nil
		}},
		"pg_backend_pid": {ret: fixed(int4T), eval: func(x *execCtx, _ []any, _ []uint32) (any, error) { return int64(x.sess.BackendPID), nil }},
		"format_type": {minArgs: 2, maxArgs: 2, argTypes: []uint32{oidT, int4T}, ret: fixed(textT), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			mod := int64(-1)
			if a[1] != nil {
				mod = a[1].(int64)
			}
			if _, ok := types[uint32(a[0].(int64))]; !ok {
				return "???", nil
			}
			return formatType(uint32(a[0].(int64)), mod), nil
		}},
		"pg_get_expr":          {minArgs: 2, maxArgs: 3, strict: true, argTypes: []uint32{textT, oidT, boolT}, ret: fixed(textT), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) { return a[0], nil }},
		"pg_get_indexdef":      {minArgs: 1, maxArgs: 3, strict: true, argTypes: []uint32{oidT, int4T, boolT}, ret: fixed(textT), eval: pgGetIndexdef},
		"pg_get_constraintdef": {minArgs: 1, maxArgs: 2, strict: true, argTypes: []uint32{oidT, boolT}, ret: fixed(textT), eval: pgGetConstraintdef},
		"pg_get_userbyid":      {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{oidT}, ret: fixed(nameT), eval: pgGetUserbyid},
		"pg_table_is_visible":  {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{oidT}, ret: fixed(boolT), eval: pgTableIsVisible},
		"pg_type_is_visible": {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{oidT}, ret: fixed(boolT), eval: func(x *execCtx, a []any, _ []uint32) (any, error) {
			if ti := types[uint32(a[0].(int64))]; ti != nil {
				return ti.nspace == pgCatalogNS, nil
			}
			return pgTableIsVisible(x, a, nil)
		}},
		"pg_function_is_visible":   {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{oidT}, ret: fixed(boolT), eval: func(*execCtx, []any, []uint32) (any, error) { return true, nil }},
		"obj_description":          {minArgs: 1, maxArgs: 2, strict: true, argTypes: []uint32{oidT, nameT}, ret: fixed(textT), eval: objDescription},
		"col_description":          {minArgs: 2, maxArgs: 2, strict: true, argTypes: []uint32{oidT, int4T}, ret: fixed(textT), eval: colDescription},
		"shobj_description":        {minArgs: 2, maxArgs: 2, strict: true, argTypes: []uint32{oidT, nameT}, ret: fixed(textT), eval: func(*execCtx, []any, []uint32) (any, error) { return nil, nil }},
		"has_table_privilege":      alwaysTrue,
		"has_schema_privilege":     alwaysTrue,
		"has_database_privilege":   alwaysTrue,
		"has_column_privilege":     alwaysTrue,
		"has_any_column_privilege": alwaysTrue,
		"has_function_privilege":   alwaysTrue,
		"has_sequence_privilege":   alwaysTrue,
		"pg_has_role":              alwaysTrue,
		"pg_encoding_to_char": {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{int4T}, ret: fixed(nameT), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			if n := a[0].(int64); n >= 0 && n < int64(len(encodingNames)) {
				return encodingNames[n], nil
			}
			return "", nil
		}},
		"pg_is_in_recovery":        {ret: fixed(boolT), eval: func(*execCtx, []any, []uint32) (any, error) { return false, nil }},
		"pg_postmaster_start_time": {ret: fixed(timestamptzT), eval: func(*execCtx, []any, []uint32) (any, error) { return startTime, nil }},
		"now":                      {ret: fixed(timestamptzT), eval: func(*execCtx, []any, []uint32) (any, error) { return nowUTC(), nil }},
		"statement_timestamp":      {ret: fixed(timestamptzT), eval: func(*execCtx, []any, []uint32) (any, error) { return nowUTC(), nil }},
		"transaction_timestamp":    {ret: fixed(timestamptzT), eval: func(*execCtx, []any, []uint32) (any, error) { return nowUTC(), nil }},
		"quote_ident":              text1(func(s string) any { return quoteIdentIfNeeded(s) }, textT),
		"lower":                    text1(func(s string) any { return strings.ToLower(s) }, textT),
		"upper":                    text1(func(s string) any { return strings.ToUpper(s) }, textT),
		"length":                   text1(func(s string) any { return int64(len([]rune(s))) }, int4T),
		"char_length":              text1(func(s string) any { return int64(len([]rune(s))) }, int4T),
		"btrim":                    trimFunc(strings.Trim),
		"ltrim":                    trimFunc(strings.TrimLeft),
		"rtrim":                    trimFunc(strings.TrimRight),
		"md5":                      text1(func(s string) any { return md5hex(s) }, textT),
		"array_to_string": {minArgs: 2, maxArgs: 3, argTypes: []uint32{0, textT, textT}, ret: fixed(textT), eval: func(x *execCtx, a []any, t []uint32) (any, error) {
			if a[0] == nil || a[1] == nil {
				return nil, nil
			}
			var parts []string
			for _, v := range a[0].([]any) {
				if v == nil {
					if len(a) > 2 && a[2] != nil {
						parts = append(parts, a[2].(string))
					}
					continue
				}
				parts = append(parts, toText(x, v, elemOf(t[0])))
			}
			return strings.Join(parts, a[1].(string)), nil
		}},
		"array_lower": {minArgs: 2, maxArgs: 2, strict: true, argTypes: []uint32{0, int4T}, ret: fixed(int4T), eval: arrayBound(false)},
		"array_upper": {minArgs: 2, maxArgs: 2, strict: true, argTypes: []uint32{0, int4T}, ret: fixed(int4T), eval: arrayBound(true)},
		"array_length": {minArgs: 2, maxArgs: 2, strict: true, argTypes: []uint32{0, int4T}, ret: fixed(int4T), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			arr := a[0].([]any)
			if len(arr) == 0 || a[1].(int64) != 1 {
				return nil, nil
			}
			return int64(len(arr)), nil
		}},
		"cardinality": {minArgs: 1, maxArgs: 1, strict: true, ret: fixed(int4T), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) { return int64(len(a[0].([]any))), nil }},
		"array_position": {minArgs: 2, maxArgs: 2, strict: true, ret: fixed(int4T), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			for i, v := range a[0].([]any) {
				if c, ok := compareValues(v, a[1]); v != nil && ok && c == 0 {
					return int64(i + 1), nil
				}
			}
			return nil, nil
		}},
		"to_regclass": {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{textT}, ret: fixed(regclassT), eval: func(x *execCtx, a []any, _ []uint32) (any, error) {
			v, err := regclassIn(x, a[0].(string))
			if err != nil {
				return nil, nil
			}
			return v, nil
		}},
		"to_regtype": {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{textT}, ret: fixed(regtypeT), eval: func(x *execCtx, a []any, _ []uint32) (any, error) {
			v, err := castValue(x, a[0], textT, regtypeT)
			if err != nil {
				return nil, nil
			}
			return v, nil
		}},
		"pg_relation_size":       {minArgs: 1, maxArgs: 2, strict: true, argTypes: []uint32{regclassT, textT}, ret: fixed(int8T), eval: zeroSize},
		"pg_total_relation_size": {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{regclassT}, ret: fixed(int8T), eval: zeroSize},
		"pg_table_size":          {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{regclassT}, ret: fixed(int8T), eval: zeroSize},
		"pg_indexes_size":        {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{regclassT}, ret: fixed(int8T), eval: zeroSize},
		"pg_database_size":       {minArgs: 1, maxArgs: 1, strict: true, ret: fixed(int8T), eval: zeroSize},
		"pg_size_pretty": {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{int8T}, ret: fixed(textT), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			return itoa(a[0].(int64)) + " bytes", nil
		}},
		"pg_get_partkeydef":                  {minArgs: 1, maxArgs: 1, argTypes: []uint32{oidT}, ret: fixed(textT), eval: func(*execCtx, []any, []uint32) (any, error) { return nil, nil }},
		"pg_get_viewdef":                     {minArgs: 1, maxArgs: 2, argTypes: []uint32{oidT, boolT}, ret: fixed(textT), eval: func(*execCtx, []any, []uint32) (any, error) { return nil, nil }},
		"pg_get_triggerdef":                  {minArgs: 1, maxArgs: 2, argTypes: []uint32{oidT, boolT}, ret: fixed(textT), eval: func(*execCtx, []any, []uint32) (any, error) { return nil, nil }},
		"pg_get_function_identity_arguments": {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{oidT}, ret: fixed(textT), eval: func(*execCtx, []any, []uint32) (any, error) { return "", nil }},
		"pg_get_function_result":             {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{oidT}, ret: fixed(textT), eval: func(*execCtx, []any, []uint32) (any, error) { return nil, nil }},
		"pg_get_function_arguments":          {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{oidT}, ret: fixed(textT), eval: func(*execCtx, []any, []uint32) (any, error) { return "", nil }},
		"pg_get_statisticsobjdef_columns":    {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{oidT}, ret: fixed(textT), eval: func(*execCtx, []any, []uint32) (any, error) { return nil, nil }},
		"pg_get_serial_sequence":             {minArgs: 2, maxArgs: 2, strict: true, argTypes: []uint32{textT, textT}, ret: fixed(textT), eval: func(*execCtx, []any, []uint32) (any, error) { return nil, nil }},
		"pg_tablespace_location":             {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{oidT}, ret: fixed(textT), eval: func(*execCtx, []any, []uint32) (any, error) { return "", nil }},
		"pg_char_to_encoding":                {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{nameT}, ret: fixed(int4T), eval: func(*execCtx, []any, []uint32) (any, error) { return int64(6), nil }},
		"pg_is_other_temp_schema":            {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{oidT}, ret: fixed(boolT), eval: func(*execCtx, []any, []uint32) (any, error) { return false, nil }},
		"pg_my_temp_schema":                  {ret: fixed(oidT), eval: func(*execCtx, []any, []uint32) (any, error) { return int64(0), nil }},
		"txid_current":                       {ret: fixed(int8T), eval: func(*execCtx, []any, []uint32) (any, error) { return int64(1000), nil }},
		"inet_server_addr":                   {ret: fixed(textT), eval: func(*execCtx, []any, []uint32) (any, error) { return nil, nil }},
		"inet_server_port":                   {ret: fixed(int4T), eval: func(*execCtx, []any, []uint32) (any, error) { return nil, nil }},
		"pg_relation_is_publishable":         {minArgs: 1, maxArgs: 1, strict: true, argTypes: []uint32{regclassT}, ret: fixed(boolT), eval: func(*execCtx, []any, []uint32) (any, error) { return false, nil }},
		"format":                             {minArgs: 1, maxArgs: -1, ret: fixed(textT), eval: formatFunc},
		"json_build_object":                  {minArgs: 0, maxArgs: -1, ret: fixed(jsonT), eval: jsonBuildObject},
		"row_security_active":                {minArgs: 1, maxArgs: 1, ret: fixed(boolT), eval: func(*execCtx, []any, []uint32) (any, error) { return false, nil }},
		"concat": {minArgs: 0, maxArgs: -1, ret: fixed(textT), eval: func(x *execCtx, a []any, t []uint32) (any, error) {
			var b strings.Builder
			for i, v := range a {
				if v != nil {
					b.WriteString(toText(x, v, t[i]))
				}
			}
			return b.String(), nil
		}},
		"concat_ws": {minArgs: 1, maxArgs: -1, ret: fixed(textT), eval: func(x *execCtx, a []any, t []uint32) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			var parts []string
			for i, v := range a[1:] {
				if v != nil {
					parts = append(parts, toText(x, v, t[i+1]))
				}
			}
			return strings.Join(parts, a[0].(string)), nil
		}},
		"replace": {minArgs: 3, maxArgs: 3, strict: true, argTypes: []uint32{textT, textT, textT}, ret: fixed(textT), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			return strings.ReplaceAll(a[0].(string), a[1].(string), a[2].(string)), nil
		}},
		"split_part": {minArgs: 3, maxArgs: 3, strict: true, argTypes: []uint32{textT, textT, int4T}, ret: fixed(textT), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			parts := strings.Split(a[0].(string), a[1].(string))
			n := a[2].(int64)
			if n < 0 {
				n = int64(len(parts)) + n + 1
			}
			if n < 1 || n > int64(len(parts)) {
				return "", nil
			}
			return parts[n-1], nil
		}},
		"substring": {minArgs: 2, maxArgs: 3, strict: true, argTypes: []uint32{textT, int4T, int4T}, ret: fixed(textT), eval: substring},
		"substr":    {minArgs: 2, maxArgs: 3, strict: true, argTypes: []uint32{textT, int4T, int4T}, ret: fixed(textT), eval: substring},
		"left": {minArgs: 2, maxArgs: 2, strict: true, argTypes: []uint32{textT, int4T}, ret: fixed(textT), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			r := []rune(a[0].(string))
			n := int(a[1].(int64))
			if n < 0 {
				n = max(len(r)+n, 0)
			}
			return string(r[:min(n, len(r))]), nil
		}},
		"position": {minArgs: 2, maxArgs: 2, strict: true, argTypes: []uint32{textT, textT}, ret: fixed(int4T), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			i := strings.Index(a[1].(string), a[0].(string))
			return int64(len([]rune(a[1].(string)[:max(i, 0)]))) + 1 - b2i(i < 0)*int64(len([]rune(a[1].(string)[:max(i, 0)]))+1), nil
		}},
		"strpos": {minArgs: 2, maxArgs: 2, strict: true, argTypes: []uint32{textT, textT}, ret: fixed(int4T), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			i := strings.Index(a[0].(string), a[1].(string))
			if i < 0 {
				return int64(0), nil
			}
			return int64(len([]rune(a[0].(string)[:i]))) + 1, nil
		}},
		"regexp_replace": {minArgs: 3, maxArgs: 4, strict: true, argTypes: []uint32{textT, textT, textT, textT}, ret: fixed(textT), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			flags := ""
			if len(a) > 3 {
				flags = a[3].(string)
			}
			pat := a[1].(string)
			if strings.Contains(flags, "i") {
				pat = "(?i)" + pat
			}
			re, err := cachedRegexp(pat)
			if err != nil {
				return nil, err
			}
			repl := strings.ReplaceAll(a[2].(string), `\`, `$`)
			if strings.Contains(flags, "g") {
				return re.ReplaceAllString(a[0].(string), repl), nil
			}
			loc := re.FindStringSubmatchIndex(a[0].(string))
			if loc == nil {
				return a[0], nil
			}
			s := a[0].(string)
			return s[:loc[0]] + string(re.ExpandString(nil, repl, s, loc)) + s[loc[1]:], nil
		}},
		"translate": {minArgs: 3, maxArgs: 3, strict: true, argTypes: []uint32{textT, textT, textT}, ret: fixed(textT), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			from, to := []rune(a[1].(string)), []rune(a[2].(string))
			return strings.Map(func(r rune) rune {
				for i, f := range from {
					if f == r {
						if i < len(to) {
							return to[i]
						}
						return -1
					}
				}
				return r
			}, a[0].(string)), nil
		}},
		"abs": {minArgs: 1, maxArgs: 1, strict: true, ret: firstArgType, eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			switch n := a[0].(type) {
			case int64:
				return max(n, -n), nil
			case float64:
				return max(n, -n), nil
			}
			return a[0], nil
		}},
		"pg_get_ruledef": {minArgs: 1, maxArgs: 2, argTypes: []uint32{oidT, boolT}, ret: fixed(textT), eval: func(*execCtx, []any, []uint32) (any, error) { return nil, nil }},
		"pg_typeof":      {minArgs: 1, maxArgs: 1, ret: fixed(regtypeT), eval: func(_ *execCtx, _ []any, t []uint32) (any, error) { return int64(t[0]), nil }},
		"array_remove": {minArgs: 2, maxArgs: 2, ret: firstArgType, eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			var out []any
			for _, v := range a[0].([]any) {
				if c, ok := compareValues(v, a[1]); v == nil || a[1] == nil || !ok || c != 0 {
					out = append(out, v)
				}
			}
			return out, nil
		}},
		"array_append": {minArgs: 2, maxArgs: 2, ret: firstArgType, eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			arr, _ := a[0].([]any)
			return append(append([]any{}, arr...), a[1]), nil
		}},
		"parse_ident": {minArgs: 1, maxArgs: 2, strict: true, argTypes: []uint32{textT, boolT}, ret: fixed(textArrT), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			strict := len(a) < 2 || a[1].(bool)
			return parseIdent(a[0].(string), strict)
		}},
		"string_to_array": {minArgs: 2, maxArgs: 3, strict: true, argTypes: []uint32{textT, textT, textT}, ret: fixed(textArrT), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
			var out []any
			for _, p := range strings.Split(a[0].(string), a[1].(string)) {
				out = append(out, p)
			}
			return out, nil
		}},
	}
	for name, alias := range map[string]string{"pg_catalog.version": "version"} {
		functions[name] = functions[alias]
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func substring(_ *execCtx, a []any, _ []uint32) (any, error) {
	r := []rune(a[0].(string))
	start := a[1].(int64) - 1
	end := int64(len(r))
	if len(a) > 2 {
		end = start + a[2].(int64)
	}
	start = max(start, 0)
	end = min(end, int64(len(r)))
	if start >= end {
		return "", nil
	}
	return string(r[start:end]), nil
}

func zeroSize(*execCtx, []any, []uint32) (any, error) { return int64(0), nil }

func arrayBound(upper bool) func(*execCtx, []any, []uint32) (any, error) {
	return func(_ *execCtx, a []any, t []uint32) (any, error) {
		arr := a[0].([]any)
		if len(arr) == 0 || a[1].(int64) != 1 {
			return nil, nil
		}
		lower := int64(1)
		if t[0] == int2vectorT || t[0] == oidvectorT {
			lower = 0
		}
		if upper {
			return lower + int64(len(arr)) - 1, nil
		}
		return lower, nil
	}
}

var startTime = time.Now().UTC()

func nowUTC() time.Time { return time.Now().UTC() }

// searchPath returns the schemas of search_path, "$user" dropped (no
// schema is named after a user in a Lattice database).
func searchPath(s *Session) []string {
	var out []string
	for _, p := range strings.Split(setting(s, "search_path"), ",") {
		p = strings.Trim(strings.TrimSpace(p), `"`)
		switch p {
		case "public", "pg_catalog", "information_schema":
			out = append(out, p)
		}
	}
	return out
}

func currentSchema(s *Session) any {
	for _, p := range searchPath(s) {
		return p
	}
	return nil
}

var reservedKeywords = map[string]bool{}

func init() {
	f, _ := staticFiles.Open("static/keywords.tsv")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) > 1 && parts[1] != "U" && parts[1] != "C" {
			reservedKeywords[parts[0]] = true
		}
	}
	f.Close()
}

func isReservedKeyword(s string) bool { return reservedKeywords[s] }

// resolveTypeName maps a cast's type name to an OID.
func resolveTypeName(tn *pg_query.TypeName) (uint32, int32, error) {
	var parts []string
	for _, n := range tn.Names {
		parts = append(parts, n.GetString_().GetSval())
	}
	name := parts[len(parts)-1]
	if len(parts) > 1 && parts[0] != "pg_catalog" && parts[0] != "information_schema" {
		return 0, 0, errf(pgerr.UndefinedObject, "type %q does not exist", strings.Join(parts, "."))
	}
	var t uint32
	switch name {
	case "char":
		// Unquoted char(n) arrives as pg_catalog.bpchar; a bare "char" is
		// the one-byte type.
		t = charT
		if len(parts) > 1 {
			t = bpcharT
		}
	case "regclass":
		t = regclassT
	case "regtype":
		t = regtypeT
	case "regproc", "regprocedure":
		t = regprocT
	case "regnamespace":
		t = regnamespaceT
	case "regrole":
		t = regroleT
	default:
		ti := typeByName[name]
		if ti == nil {
			return 0, 0, errf(pgerr.UndefinedObject, "type %q does not exist", name)
		}
		t = ti.oid
	}
	if len(tn.ArrayBounds) > 0 {
		t = arrayOf(t)
	}
	return t, tn.Typemod, nil
}

// typeColumnName is the column name Postgres gives a bare cast of a
// literal: the type's name.
func typeColumnName(tn *pg_query.TypeName) string {
	name := tn.Names[len(tn.Names)-1].GetString_().GetSval()
	switch name {
	case "int4":
		return "int4"
	}
	if len(tn.ArrayBounds) > 0 {
		return name
	}
	return name
}

func (sc *scope) compileSubLink(sl *pg_query.SubLink) (*expr, error) {
	q := sl.Subselect.GetSelectStmt()
	if q == nil {
		return nil, unsupported("this subquery")
	}
	sub, err := sc.cc.compileQuery(q, sc)
	if err != nil {
		return nil, err
	}
	cols := sub.columns()
	if sl.SubLinkType != pg_query.SubLinkType_EXISTS_SUBLINK && len(cols) != 1 {
		if len(cols) == 0 {
			return nil, errf(pgerr.SyntaxError, "subquery has too few columns")
		}
		return nil, errf(pgerr.SyntaxError, "subquery has too many columns")
	}
	switch sl.SubLinkType {
	case pg_query.SubLinkType_EXISTS_SUBLINK:
		return &expr{typ: boolT, name: "exists", eval: func(e *env) (any, error) {
			rows, err := sub.run(e)
			return len(rows) > 0, err
		}}, nil
	case pg_query.SubLinkType_EXPR_SUBLINK:
		sub0 := &expr{typ: cols[0].typ, name: cols[0].name}
		if cols[0].rec != nil {
			sub0.fields, sub0.fieldTypes = cols[0].rec.fields, cols[0].rec.fieldTypes
		}
		sub0.eval = func(e *env) (any, error) {
			rows, err := sub.run(e)
			if err != nil || len(rows) == 0 {
				return nil, err
			}
			if len(rows) > 1 {
				return nil, errf("21000", "more than one row returned by a subquery used as an expression")
			}
			return rows[0][0], nil
		}
		return sub0, nil
	case pg_query.SubLinkType_ARRAY_SUBLINK:
		return &expr{typ: arrayOf(cols[0].typ), name: "array", eval: func(e *env) (any, error) {
			rows, err := sub.run(e)
			if err != nil {
				return nil, err
			}
			out := make([]any, len(rows))
			for i, r := range rows {
				out[i] = r[0]
			}
			return out, nil
		}}, nil
	case pg_query.SubLinkType_ANY_SUBLINK, pg_query.SubLinkType_ALL_SUBLINK:
		l, err := sc.compileExpr(sl.Testexpr)
		if err != nil {
			return nil, err
		}
		op := "="
		if len(sl.OperName) > 0 {
			op = sl.OperName[len(sl.OperName)-1].GetString_().GetSval()
		}
		rt := cols[0].typ
		if l.typ == paramType {
			l = sc.resolveParam(l, rt)
		}
		if l.typ == unknownT {
			l = castExpr(l, rt)
		}
		cmp, err := sc.binaryOp(op, &expr{typ: l.typ, eval: func(e *env) (any, error) { return e.row[0], nil }},
			&expr{typ: rt, eval: func(e *env) (any, error) { return e.row[1], nil }})
		if err != nil {
			return nil, err
		}
		all := sl.SubLinkType == pg_query.SubLinkType_ALL_SUBLINK
		return &expr{typ: boolT, eval: func(e *env) (any, error) {
			x, err := l.eval(e)
			if err != nil {
				return nil, err
			}
			rows, err := sub.run(e)
			if err != nil {
				return nil, err
			}
			vals := make([]any, len(rows))
			for i, r := range rows {
				vals[i] = r[0]
			}
			return quantified(e, cmp, x, vals, all)
		}}, nil
	}
	return nil, unsupported("this kind of subquery")
}

func trimFunc(f func(string, string) string) *funcDef {
	return &funcDef{minArgs: 1, maxArgs: 2, strict: true, argTypes: []uint32{textT, textT}, ret: fixed(textT), eval: func(_ *execCtx, a []any, _ []uint32) (any, error) {
		chars := " "
		if len(a) > 1 {
			chars = a[1].(string)
		}
		return f(a[0].(string), chars), nil
	}}
}

func jsonBuildObject(x *execCtx, a []any, t []uint32) (any, error) {
	if len(a)%2 != 0 {
		return nil, errf(pgerr.InvalidParameterValue, "argument list must have even number of elements")
	}
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i < len(a); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		if a[i] == nil {
			return nil, errf(pgerr.InvalidParameterValue, "null value not allowed for object key")
		}
		b.WriteString(strconv.Quote(toText(x, a[i], t[i])))
		b.WriteString(" : ")
		switch v := a[i+1].(type) {
		case nil:
			b.WriteString("null")
		case bool, int64, float64:
			b.WriteString(toText(x, v, t[i+1]))
		default:
			b.WriteString(strconv.Quote(toText(x, v, t[i+1])))
		}
	}
	b.WriteByte('}')
	return b.String(), nil
}

// formatFunc is format(fmt, args...) with %s, %I, %L and %%.
func formatFunc(x *execCtx, a []any, t []uint32) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	f := toText(x, a[0], t[0])
	var b strings.Builder
	next := 1
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		if next >= len(a) {
			return nil, errf(pgerr.InvalidParameterValue, "too few arguments for format()")
		}
		v, vt := a[next], t[next]
		next++
		switch f[i] {
		case 's':
			if v != nil {
				b.WriteString(toText(x, v, vt))
			}
		case 'I':
			if v == nil {
				return nil, errf(pgerr.InvalidParameterValue, "null values cannot be formatted as an SQL identifier")
			}
			b.WriteString(quoteIdentIfNeeded(toText(x, v, vt)))
		case 'L':
			if v == nil {
				b.WriteString("NULL")
			} else {
				b.WriteString("'" + strings.ReplaceAll(toText(x, v, vt), "'", "''") + "'")
			}
		default:
			return nil, errf(pgerr.InvalidParameterValue, "unrecognized format() type specifier %q", f[i])
		}
	}
	return b.String(), nil
}

// encodingNames are PostgreSQL's encodings by number (pg_enc), as
// pg_encoding_to_char reports them.
var encodingNames = []string{
	"SQL_ASCII", "EUC_JP", "EUC_CN", "EUC_KR", "EUC_TW", "EUC_JIS_2004", "UTF8", "MULE_INTERNAL",
	"LATIN1", "LATIN2", "LATIN3", "LATIN4", "LATIN5", "LATIN6", "LATIN7", "LATIN8", "LATIN9", "LATIN10",
	"WIN1256", "WIN1258", "WIN866", "WIN874", "KOI8R", "WIN1251", "WIN1252",
	"ISO_8859_5", "ISO_8859_6", "ISO_8859_7", "ISO_8859_8",
	"WIN1250", "WIN1253", "WIN1254", "WIN1255", "WIN1257", "KOI8U",
	"SJIS", "BIG5", "GBK", "UHC", "GB18030", "JOHAB", "SHIFT_JIS_2004",
}

// parseIdent splits a possibly qualified SQL identifier like Postgres's
// parse_ident: quoted parts keep their case, unquoted parts are folded.
// Without strict, text after the last identifier is ignored.
func parseIdent(s string, strict bool) (any, error) {
	bad := func() (any, error) {
		return nil, errf(pgerr.InvalidParameterValue, "string is not a valid identifier: %q", s)
	}
	var out []any
	i := 0
	skipSpace := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	for {
		skipSpace()
		if i < len(s) && s[i] == '"' {
			var b strings.Builder
			i++
			for {
				j := strings.IndexByte(s[i:], '"')
				if j < 0 {
					return bad()
				}
				b.WriteString(s[i : i+j])
				i += j + 1
				if i < len(s) && s[i] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				break
			}
			if b.Len() == 0 {
				return bad()
			}
			out = append(out, b.String())
		} else {
			start := i
			for i < len(s) && (s[i] == '_' || s[i] == '$' || s[i] >= 0x80 ||
				(s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9' && i > start)) {
				i++
			}
			if i == start {
				return bad()
			}
			out = append(out, strings.ToLower(s[start:i]))
		}
		skipSpace()
		if i < len(s) && s[i] == '.' {
			i++
			continue
		}
		if i < len(s) && strict {
			return bad()
		}
		return out, nil
	}
}
