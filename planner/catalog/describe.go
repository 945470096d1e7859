package catalog

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
)

// Functions that describe catalog objects (pg_get_indexdef, obj_description, ...).

func pgGetIndexdef(x *execCtx, a []any, _ []uint32) (any, error) {
	ix := x.snap.byOID[uint32(a[0].(int64))]
	if ix == nil || ix.kind != "i" {
		return nil, nil
	}
	cols := make([]string, len(ix.cols))
	for i, c := range ix.cols {
		cols[i] = quoteIdentIfNeeded(c.name)
	}
	if len(a) > 1 && a[1].(int64) > 0 {
		k := a[1].(int64)
		if k > int64(len(cols)) {
			return "", nil
		}
		return cols[k-1], nil
	}
	// Postgres qualifies the table name unless asked for pretty output.
	table := "public." + quoteIdentIfNeeded(ix.table.name)
	if len(a) > 2 && a[2].(bool) {
		table = qualifiedName(x, ix.table.name)
	}
	return "CREATE UNIQUE INDEX " + quoteIdentIfNeeded(ix.name) + " ON " + table +
		" USING btree (" + strings.Join(cols, ", ") + ")", nil
}

func pgGetConstraintdef(x *execCtx, a []any, _ []uint32) (any, error) {
	oid := uint32(a[0].(int64))
	for _, r := range x.snap.rels {
		if r.pkey != nil && r.conOID == oid {
			cols := make([]string, len(r.pkey.cols))
			for i, c := range r.pkey.cols {
				cols[i] = quoteIdentIfNeeded(c.name)
			}
			return "PRIMARY KEY (" + strings.Join(cols, ", ") + ")", nil
		}
	}
	return nil, nil
}

func pgGetUserbyid(x *execCtx, a []any, _ []uint32) (any, error) {
	switch a[0].(int64) {
	case bootstrapRole:
		return x.sess.User, nil
	case databaseOwnerRole:
		return "pg_database_owner", nil
	}
	return "unknown (OID=" + itoa(a[0].(int64)) + ")", nil
}

func pgTableIsVisible(x *execCtx, a []any, _ []uint32) (any, error) {
	oid := uint32(a[0].(int64))
	for _, r := range x.snap.rels {
		if r.kind == "r" && (r.typeOID == oid || r.arrayOID == oid) {
			oid = r.oid
		}
	}
	if x.snap.byOID[oid] != nil {
		for _, s := range searchPath(x.sess) {
			if s == "public" {
				return true, nil
			}
		}
		return false, nil
	}
	if t := catalogTableByOID[oid]; t != nil {
		return t.schema == "pg_catalog", nil
	}
	return false, nil
}

// Catalog OIDs used as classoid in pg_description.
const (
	pgClassOID     = 1259
	pgNamespaceOID = 2615
)

var namespaceComments = map[int64]string{
	99:          "reserved schema for TOAST tables",
	pgCatalogNS: "system catalog schema",
	publicNS:    "standard public schema",
}

func objDescription(x *execCtx, a []any, _ []uint32) (any, error) {
	oid := a[0].(int64)
	cat := "pg_class"
	if len(a) > 1 {
		cat = a[1].(string)
	}
	switch cat {
	case "pg_class":
		if r := x.snap.byOID[uint32(oid)]; r != nil && r.description != "" {
			return r.description, nil
		}
	case "pg_namespace":
		if d, ok := namespaceComments[oid]; ok {
			return d, nil
		}
	case "pg_type":
		if d, ok := typeDescriptions[oid]; ok {
			return d, nil
		}
	}
	return nil, nil
}

func colDescription(x *execCtx, a []any, _ []uint32) (any, error) {
	r := x.snap.byOID[uint32(a[0].(int64))]
	n := a[1].(int64)
	if r == nil || n < 1 || n > int64(len(r.cols)) || r.cols[n-1].description == "" {
		return nil, nil
	}
	return r.cols[n-1].description, nil
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// databaseOwnerRole owns schema public in PostgreSQL 15.
const databaseOwnerRole = 6171

// qualifiedName qualifies a public relation name unless public is on the
// search path, as ruleutils does.
func qualifiedName(x *execCtx, name string) string {
	for _, s := range searchPath(x.sess) {
		if s == "public" {
			return quoteIdentIfNeeded(name)
		}
	}
	return "public." + quoteIdentIfNeeded(name)
}
