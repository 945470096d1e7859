// Package config loads the Lattice config file (ARCHITECTURE §3).
//
// Loading follows caddy's order: decode strictly (yaml.v3 nodes; unknown
// or duplicate keys, aliases and wrong kinds are errors with the line),
// then provision (defaults, ${VAR} expansion, paths made absolute against
// the file's directory, templates compiled), then validate (values that
// depend on each other). The first problem stops the load.
//
// A string value may hold {{ CEL }} holes over authInfo, securityContext,
// user, database and application_name, mixed with text like a JavaScript
// template literal. Holes are compiled once at load; at resolution,
// Template.Render evaluates them with the claims' integral numbers as
// int64 (so authInfo.appId == 3 holds for a JSON 3) and prints integral
// numbers without a decimal point. ${VAR} is expanded in literal text
// only, after the holes are found, so an environment value never becomes
// code.
package config
