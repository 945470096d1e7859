// Package demo holds what `lattice demo` installs: two tenants, a shop and
// a SaaS app, each with its own data model (models/<tenant>) and its own
// SQLite database generated deterministically, and the config that serves
// them with the same hooks and format as a production config.
//
// Install writes everything into a data directory; the generators are
// exported so that tests compute expected answers from the same rows.
package demo
