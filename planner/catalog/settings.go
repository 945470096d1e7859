package catalog

import (
	"slices"
	"strconv"
	"strings"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// defaultSettings are the values a Lattice session starts with; the names
// are lowercase. Any other parameter PostgreSQL 15 has reads as its
// PostgreSQL default (from the pg_settings dump).
var defaultSettings = map[string]string{
	"server_version":                      "15.0",
	"server_version_num":                  "150000",
	"server_encoding":                     "UTF8",
	"client_encoding":                     "UTF8",
	"datestyle":                           "ISO, MDY",
	"intervalstyle":                       "postgres",
	"integer_datetimes":                   "on",
	"standard_conforming_strings":         "on",
	"timezone":                            "UTC",
	"log_timezone":                        "UTC",
	"search_path":                         `"$user", public`,
	"transaction_isolation":               "read committed",
	"default_transaction_isolation":       "read committed",
	"transaction_read_only":               "off",
	"default_transaction_read_only":       "off",
	"max_identifier_length":               "63",
	"extra_float_digits":                  "1",
	"application_name":                    "",
	"is_superuser":                        "off",
	"session_authorization":               "",
	"lc_collate":                          "en_US.UTF-8",
	"lc_ctype":                            "en_US.UTF-8",
	"lc_messages":                         "en_US.UTF-8",
	"lc_monetary":                         "en_US.UTF-8",
	"lc_numeric":                          "en_US.UTF-8",
	"lc_time":                             "en_US.UTF-8",
	"max_index_keys":                      "32",
	"block_size":                          "8192",
	"segment_size":                        "131072",
	"wal_block_size":                      "8192",
	"max_function_args":                   "100",
	"statement_timeout":                   "0",
	"lock_timeout":                        "0",
	"idle_in_transaction_session_timeout": "0",
	"bytea_output":                        "hex",
	"client_min_messages":                 "notice",
	"row_security":                        "on",
	"default_tablespace":                  "",
	"in_hot_standby":                      "off",
	"xmloption":                           "content",
	"escape_string_warning":               "on",
	"backslash_quote":                     "safe_encoding",
	"max_connections":                     "100",
	"ssl":                                 "off",
	"data_checksums":                      "off",
}

// DefaultSettings returns the session settings a new connection starts
// with (lowercase names). The proxy seeds Session.Settings from it.
func DefaultSettings() map[string]string {
	out := make(map[string]string, len(defaultSettings))
	for k, v := range defaultSettings {
		out[k] = v
	}
	return out
}

// settingInfo is a row of the pg_settings dump, by lowercase name.
var (
	settingRows  [][]any
	settingIndex = map[string]int{}
)

func init() {
	settingRows = staticRows(pgSettings, "pg_settings.tsv")
	for i, r := range settingRows {
		name := r[0].(string)
		settingIndex[strings.ToLower(name)] = i
		r[pgSettings.index["sourcefile"]] = nil
		r[pgSettings.index["sourceline"]] = nil
		if v, ok := defaultSettings[strings.ToLower(name)]; ok {
			r[pgSettings.index["setting"]] = v
			r[pgSettings.index["reset_val"]] = v
			r[pgSettings.index["boot_val"]] = v
			r[pgSettings.index["source"]] = "default"
		}
	}
	slices.SortStableFunc(settingRows, func(a, b []any) int {
		return strings.Compare(strings.ToLower(a[0].(string)), strings.ToLower(b[0].(string)))
	})
	for i, r := range settingRows {
		settingIndex[strings.ToLower(r[0].(string))] = i
	}
}

// lookupSetting returns the session's value of a parameter.
func lookupSetting(s *Session, name string) (string, bool) {
	name = strings.ToLower(name)
	if s != nil {
		if v, ok := s.Settings[name]; ok {
			return v, true
		}
		switch name {
		case "application_name":
			if s.ApplicationName != "" {
				return s.ApplicationName, true
			}
		case "session_authorization":
			return s.User, true
		}
	}
	if v, ok := defaultSettings[name]; ok {
		return v, true
	}
	if i, ok := settingIndex[name]; ok {
		r := settingRows[i]
		v, _ := r[1].(string)
		unit, _ := r[pgSettings.index["unit"]].(string)
		return withUnit(v, unit), true
	}
	return "", false
}

// withUnit renders a pg_settings value (in the parameter's base unit) as
// SHOW does: in the largest unit that divides it exactly (4096 kB → 4MB).
func withUnit(v, unit string) string {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || unit == "" || n < 0 {
		return v
	}
	type u struct {
		name string
		size int64
	}
	var base int64
	var units []u
	switch unit {
	case "B", "kB", "8kB", "MB":
		units = []u{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"kB", 1 << 10}, {"B", 1}}
		base = map[string]int64{"B": 1, "kB": 1 << 10, "8kB": 8 << 10, "MB": 1 << 20}[unit]
	case "ms", "s", "min":
		units = []u{{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}, {"ms", 1}}
		base = map[string]int64{"ms": 1, "s": 1000, "min": 60000}[unit]
	default:
		return v
	}
	total := n * base
	if total == 0 {
		return "0"
	}
	for _, x := range units {
		if total%x.size == 0 && x.size >= min(base, x.size) {
			if x.size < base {
				break
			}
			return strconv.FormatInt(total/x.size, 10) + x.name
		}
	}
	return v + unit
}

func setting(s *Session, name string) string {
	v, _ := lookupSetting(s, name)
	return v
}

// canonicalName is the parameter's name as PostgreSQL spells it (SHOW's
// column name): DateStyle, TimeZone, ...
func canonicalName(name string) string {
	if i, ok := settingIndex[strings.ToLower(name)]; ok {
		return settingRows[i][0].(string)
	}
	return strings.ToLower(name)
}

// Show plans SHOW name (or SHOW ALL). The value is read from the session
// when the rows are computed, so a prepared SHOW sees later SETs.
func Show(name string) (*Result, error) {
	lname := strings.ToLower(name)
	if lname == "all" {
		cols := []Column{textColumn("name"), textColumn("setting"), textColumn("description")}
		return &Result{Tag: "SHOW", Columns: cols, Rows: func(s *Session, _ []any) ([][]any, error) {
			seen := map[string]bool{}
			var rows [][]any
			for _, r := range settingRows {
				n := r[0].(string)
				seen[strings.ToLower(n)] = true
				v, _ := lookupSetting(s, n)
				rows = append(rows, []any{n, v, r[pgSettings.index["short_desc"]]})
			}
			// Parameters the session set that Postgres does not know
			// (custom "x.y" options) are listed too.
			if s != nil {
				var extra []string
				for k := range s.Settings {
					if !seen[k] && strings.Contains(k, ".") {
						extra = append(extra, k)
					}
				}
				slices.Sort(extra)
				for _, k := range extra {
					rows = append(rows, []any{k, s.Settings[k], nil})
				}
			}
			return rows, nil
		}}, nil
	}
	if _, ok := lookupSetting(nil, lname); !ok && !strings.Contains(lname, ".") {
		return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	col := canonicalName(name)
	return &Result{Tag: "SHOW", Columns: []Column{textColumn(col)}, Rows: func(s *Session, _ []any) ([][]any, error) {
		v, ok := lookupSetting(s, lname)
		if !ok {
			return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
		}
		return [][]any{{v}}, nil
	}}, nil
}

func textColumn(name string) Column {
	return Column{Name: name, OID: textT, TypeSize: -1, TypeMod: -1}
}
