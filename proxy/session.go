package proxy

import (
	"maps"
	"strings"

	"github.com/lattice-sql/lattice/planner"
	"github.com/lattice-sql/lattice/planner/catalog"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

// builtinSettings fill the reported parameters that Options.Settings lacks.
var builtinSettings = map[string]string{
	"server_version":                "15.0",
	"server_encoding":               "UTF8",
	"client_encoding":               "UTF8",
	"datestyle":                     "ISO, MDY",
	"integer_datetimes":             "on",
	"intervalstyle":                 "postgres",
	"standard_conforming_strings":   "on",
	"timezone":                      "UTC",
	"application_name":              "",
	"is_superuser":                  "off",
	"default_transaction_read_only": "off",
	"in_hot_standby":                "off",
}

// reported are the GUC_REPORT parameters of PostgreSQL 15, by lowercase
// name: sent at startup and again when a SET changes them.
var reported = map[string]string{
	"server_version":                "server_version",
	"server_encoding":               "server_encoding",
	"client_encoding":               "client_encoding",
	"datestyle":                     "DateStyle",
	"integer_datetimes":             "integer_datetimes",
	"intervalstyle":                 "IntervalStyle",
	"standard_conforming_strings":   "standard_conforming_strings",
	"timezone":                      "TimeZone",
	"application_name":              "application_name",
	"is_superuser":                  "is_superuser",
	"session_authorization":         "session_authorization",
	"default_transaction_read_only": "default_transaction_read_only",
	"in_hot_standby":                "in_hot_standby",
}

// reportedOrder is the order of ParameterStatus at startup (sorted, as
// PostgreSQL sends them; clients do not depend on it but tests do).
var reportedOrder = []string{
	"application_name", "client_encoding", "datestyle", "default_transaction_read_only",
	"in_hot_standby", "integer_datetimes", "intervalstyle", "is_superuser",
	"server_encoding", "server_version", "session_authorization",
	"standard_conforming_strings", "timezone",
}

// readOnly settings cannot be changed by SET (PostgreSQL: 55P02/42501).
var readOnly = map[string]bool{
	"server_version": true, "server_encoding": true, "integer_datetimes": true,
	"in_hot_standby": true, "is_superuser": true, "server_version_num": true,
	"max_identifier_length": true, "block_size": true, "lc_collate": true, "lc_ctype": true,
}

// startupIgnored are startup parameters that are not settings.
var startupIgnored = map[string]bool{
	"user": true, "database": true, "options": true, "replication": true,
}

// mergeSettings layers the session defaults: the reported parameters,
// then the catalog's PostgreSQL 15 defaults, then the server's options.
func mergeSettings(opt map[string]string) map[string]string {
	m := maps.Clone(builtinSettings)
	maps.Copy(m, catalog.DefaultSettings())
	for k, v := range opt {
		m[strings.ToLower(k)] = v
	}
	return m
}

// txState is the ReadyForQuery transaction status.
type txState byte

const (
	txIdle   txState = 'I'
	txActive txState = 'T'
	txFailed txState = 'E'
)

// session is the per-connection state that statements read and utility
// statements change. Only the connection goroutine touches it.
type session struct {
	planner.Session
	defaults map[string]string // RESET target: server defaults + startup parameters
	tx       txState
	// Inside a transaction block: the settings at BEGIN, and the non-LOCAL
	// SETs made since, which survive COMMIT.
	txBase      map[string]string
	txCommitted map[string]string
}

// set applies SET name = value. It returns the reported parameter that
// changed, if any, for a ParameterStatus.
func (s *session) set(name, value string, local bool) (changed bool, err error) {
	name = strings.ToLower(name)
	if readOnly[name] {
		return false, pgerr.New(codeCantChangeRuntime, "parameter %q cannot be changed", name)
	}
	value, err = normalizeSetting(name, value)
	if err != nil {
		return false, err
	}
	if s.tx == txIdle && local {
		// PostgreSQL warns and does nothing; the caller sends the notice.
		return false, nil
	}
	old, had := s.Settings[name]
	s.Settings[name] = value
	if s.tx != txIdle && !local {
		s.txCommitted[name] = value
	}
	return !had || old != value, nil
}

func normalizeSetting(name, value string) (string, error) {
	switch name {
	case "datestyle":
		return normalizeDateStyle(value)
	case "client_encoding":
		switch strings.ToUpper(strings.ReplaceAll(value, "-", "")) {
		case "UTF8", "UNICODE", "SQL_ASCII":
			return "UTF8", nil
		}
		return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"client_encoding\": %q", value).
			WithHint("Lattice only speaks UTF8.")
	}
	return value, nil
}

// reset applies RESET name or RESET ALL.
func (s *session) reset(name string) {
	name = strings.ToLower(name)
	if name == "all" {
		for k := range s.Settings {
			if _, ok := s.defaults[k]; !ok && !readOnly[k] {
				delete(s.Settings, k)
			}
		}
		for k, v := range s.defaults {
			s.Settings[k] = v
		}
		if s.tx != txIdle {
			maps.Copy(s.txCommitted, s.defaults)
		}
		return
	}
	if v, ok := s.defaults[name]; ok {
		s.Settings[name] = v
	} else {
		delete(s.Settings, name)
	}
	if s.tx != txIdle {
		s.txCommitted[name] = s.Settings[name]
	}
}

func (s *session) begin() {
	s.tx = txActive
	s.InTransaction = true
	s.txBase = maps.Clone(s.Settings)
	s.txCommitted = map[string]string{}
}

// end leaves the transaction block: settings roll back to BEGIN's, plus the
// non-LOCAL SETs when committing.
func (s *session) end(commit bool) {
	base := s.txBase
	if commit {
		maps.Copy(base, s.txCommitted)
	}
	s.Settings = base
	s.tx = txIdle
	s.InTransaction = false
	s.txBase, s.txCommitted = nil, nil
}

// snapshotReported returns the current reported values, to diff after a
// statement that may change several at once (COMMIT, ROLLBACK, RESET ALL).
func (s *session) snapshotReported() map[string]string {
	m := make(map[string]string, len(reported))
	for k := range reported {
		m[k] = s.Settings[k]
	}
	return m
}

// normalizeDateStyle completes a partial DateStyle as PostgreSQL does:
// "ISO" is "ISO, MDY", "DMY" is "ISO, DMY". Output is always ISO here, but
// clients (pgjdbc) check the reported value.
func normalizeDateStyle(v string) (string, error) {
	style, order := "ISO", "MDY"
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		switch u := strings.ToUpper(f); u {
		case "ISO", "SQL", "POSTGRES", "GERMAN":
			style = map[string]string{"ISO": "ISO", "SQL": "SQL", "POSTGRES": "Postgres", "GERMAN": "German"}[u]
		case "MDY", "DMY", "YMD":
			order = u
		case "US", "NONEURO", "NONEUROPEAN":
			order = "MDY"
		case "EURO", "EUROPEAN":
			order = "DMY"
		default:
			return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"DateStyle\": %q", v)
		}
	}
	return style + ", " + order, nil
}
