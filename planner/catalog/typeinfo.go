package catalog

import (
	"bufio"
	"strconv"
	"strings"
)

// Type OIDs used by the executor (the values are PostgreSQL's).
const (
	boolT         uint32 = 16
	byteaT        uint32 = 17
	charT         uint32 = 18
	nameT         uint32 = 19
	int8T         uint32 = 20
	int2T         uint32 = 21
	int2vectorT   uint32 = 22
	int4T         uint32 = 23
	regprocT      uint32 = 24
	textT         uint32 = 25
	oidT          uint32 = 26
	xidT          uint32 = 28
	oidvectorT    uint32 = 30
	jsonT         uint32 = 114
	pgNodeTreeT   uint32 = 194
	float4T       uint32 = 700
	float8T       uint32 = 701
	unknownT      uint32 = 705
	inetT         uint32 = 869
	boolArrT      uint32 = 1000
	charArrT      uint32 = 1002
	nameArrT      uint32 = 1003
	int2ArrT      uint32 = 1005
	int4ArrT      uint32 = 1007
	textArrT      uint32 = 1009
	int8ArrT      uint32 = 1016
	float8ArrT    uint32 = 1022
	oidArrT       uint32 = 1028
	aclArrT       uint32 = 1034
	bpcharT       uint32 = 1042
	varcharT      uint32 = 1043
	dateT         uint32 = 1082
	timestampT    uint32 = 1114
	timestamptzT  uint32 = 1184
	intervalT     uint32 = 1186
	numericT      uint32 = 1700
	regclassT     uint32 = 2205
	regtypeT      uint32 = 2206
	recordT       uint32 = 2249
	anyarrayT     uint32 = 2277
	voidT         uint32 = 2278
	regnamespaceT uint32 = 4089
	regroleT      uint32 = 4096
)

// baseTypes describes a type: from the pg_type dump of a real PostgreSQL 15.
type typeInfo struct {
	oid      uint32
	name     string // typname
	formal   string // format_type(oid, NULL)
	length   int16
	elem     uint32
	array    uint32
	category string
	byval    bool
	align    string
	storage  string
	nspace   int64
}

var (
	types      = map[uint32]*typeInfo{}
	typeByName = map[string]*typeInfo{}
	// arrays used by the catalog tables' own columns, needed before the
	// pg_type dump is parsed.
	arrayElems = map[uint32]uint32{
		boolArrT: boolT, charArrT: charT, nameArrT: nameT, int2ArrT: int2T,
		int4ArrT: int4T, textArrT: textT, int8ArrT: int8T, float8ArrT: float8T,
		oidArrT: oidT, aclArrT: textT, 1015: varcharT,
		int2vectorT: int2T, oidvectorT: oidT,
	}
)

func init() {
	for _, r := range staticRows(pgType, "pg_type.tsv") {
		get := func(c string) any { return r[pgType.index[c]] }
		ti := &typeInfo{
			oid:      uint32(get("oid").(int64)),
			name:     get("typname").(string),
			length:   int16(get("typlen").(int64)),
			elem:     uint32(get("typelem").(int64)),
			array:    uint32(get("typarray").(int64)),
			category: get("typcategory").(string),
			byval:    get("typbyval").(bool),
			align:    get("typalign").(string),
			storage:  get("typstorage").(string),
			nspace:   get("typnamespace").(int64),
		}
		types[ti.oid] = ti
		typeByName[ti.name] = ti
		if ti.category == "A" && ti.elem != 0 {
			arrayElems[ti.oid] = ti.elem
		}
	}
	f, _ := staticFiles.Open("static/format_type.tsv")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		oid, name, _ := strings.Cut(sc.Text(), "\t")
		n, _ := strconv.Atoi(oid)
		if ti := types[uint32(n)]; ti != nil {
			ti.formal = name
			typeByName[name] = ti
		}
	}
	f.Close()
	// SQL spellings that are not typnames or format_type names.
	for alias, oid := range map[string]uint32{
		"int": int4T, "integer": int4T, "smallint": int2T, "bigint": int8T,
		"int2": int2T, "int4": int4T, "int8": int8T, "boolean": boolT,
		"real": float4T, "float": float8T, "double precision": float8T,
		"decimal": numericT, "varchar": varcharT, "char": bpcharT,
		"character": bpcharT, "character varying": varcharT,
		"timestamp": timestampT, "timestamptz": timestamptzT,
		"string": textT, "\"char\"": charT,
		"sql_identifier": nameT, "character_data": varcharT,
		"cardinal_number": int4T, "yes_or_no": varcharT,
	} {
		if ti := types[oid]; ti != nil {
			typeByName[alias] = ti
		}
	}
}

// elemOf returns the element type of an array type, 0 for a non-array.
func elemOf(t uint32) uint32 { return arrayElems[t] }

// arrayOf returns the array type whose elements are t (text[] when unknown).
func arrayOf(t uint32) uint32 {
	if ti := types[t]; ti != nil && ti.array != 0 {
		return ti.array
	}
	if t == unknownT {
		return textArrT
	}
	return textArrT
}

// typeName is the type's typname, for messages.
func typeName(t uint32) string {
	if ti := types[t]; ti != nil {
		return ti.name
	}
	return strconv.FormatUint(uint64(t), 10)
}

// typeLen is pg_type.typlen: the Column.TypeSize of a result column.
func typeLen(t uint32) int16 {
	if ti := types[t]; ti != nil {
		return ti.length
	}
	return -1
}

// formatType is format_type(oid, typmod) for the types Lattice knows.
func formatType(t uint32, typmod int64) string {
	ti := types[t]
	if ti == nil {
		return "???"
	}
	s := ti.formal
	if typmod >= 0 {
		switch t {
		case varcharT, bpcharT:
			mod := "(" + strconv.FormatInt(typmod-4, 10) + ")"
			if strings.HasSuffix(s, "[]") {
				return s
			}
			return s + mod
		case timestampT, timestamptzT, 1083, 1266:
			if i := strings.Index(s, " with"); i > 0 {
				return s[:i] + "(" + strconv.FormatInt(typmod, 10) + ")" + s[i:]
			}
			return s + "(" + strconv.FormatInt(typmod, 10) + ")"
		case numericT:
			m := typmod - 4
			return s + "(" + strconv.FormatInt(m>>16, 10) + "," + strconv.FormatInt(m&0xffff, 10) + ")"
		}
	}
	return s
}

// isTextLike reports whether values of t are Go strings.
func isTextLike(t uint32) bool {
	switch t {
	case textT, nameT, varcharT, bpcharT, charT, unknownT, pgNodeTreeT, jsonT:
		return true
	}
	return false
}

// isIntLike reports whether values of t are int64 internally.
func isIntLike(t uint32) bool {
	switch t {
	case int2T, int4T, int8T, oidT, xidT, regclassT, regtypeT, regprocT, regnamespaceT, regroleT:
		return true
	}
	return false
}

func isNumeric(t uint32) bool {
	return isIntLike(t) || t == float4T || t == float8T || t == numericT
}
