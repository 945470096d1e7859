// Package proxy is Lattice's PostgreSQL wire-protocol server: it accepts
// BI clients, authenticates them with a JWT sent as the password, resolves
// their tenant, plans each statement and streams the answers back as
// PostgreSQL would.
//
// # Layers
//
// Bottom-up, each layer only calls the one below:
//
//   - bytes ↔ messages: github.com/jackc/pgx/v5/pgproto3 (Backend.Receive,
//     Backend.Send). The startup packet is read here by hand
//     (readStartupPacket) so that nothing is buffered before a TLS
//     handshake and every bad length is an 08P01 of our own.
//   - connection state machine (conn.go, startup.go, handlers.go): one
//     goroutine per client; handleStartup, then handleQuery, handleParse,
//     handleBind, handleDescribe, handleExecute, handleSync, handleClose.
//   - execution (exec.go): a portal runs a planner.Statement — backend SQL on
//     tenant.Driver, a Local evaluator, or a Utility applied to the session
//     (session.go) — and streams or buffers its rows.
//   - values (encode.go): backend rows arrive as PostgreSQL-compatible text;
//     they are normalised per type OID (MySQL prints booleans as 1/0 and
//     timestamps with 'T') and, for binary results, decoded and re-encoded
//     with pgtype. Local rows are Go values encoded by pgtype.Map. Bind
//     parameters are decoded by pgtype into nil, string, int64, float64,
//     bool, time.Time; other types travel as their text form.
//
// Authentication and tenant resolution are behind two small interfaces,
// Authenticator and Resolver, so the package depends only on the tenancy
// types; planning is Options.Planner (planner.Plan by default).
//
// # Connection lifecycle
//
//	accept ─▶ startup ──SSLRequest──▶ 'S'+TLS handshake │ 'N' ─▶ startup
//	            │     ──GSSENCRequest─▶ 'N' ─▶ startup
//	            │     ──CancelRequest─▶ cancel the matching session's statement; close
//	            ▼
//	        StartupMessage 3.x (3.1+ gets NegotiateProtocolVersion 3.0; other
//	        majors 0A000) ─▶ MaxConnections (53300) ─▶ AuthenticationCleartextPassword
//	            ▼
//	        password = JWT ─▶ Authenticator (28P01) ─▶ Resolver (28000, 42P17, 08006...)
//	            ▼
//	        AuthenticationOk, ParameterStatus×13, BackendKeyData, ReadyForQuery('I')
//	            ▼
//	        ready ◀──────────────────────────────────────────────┐
//	            │ Query: plan; run each statement; first error ends the string; ReadyForQuery
//	            │ Parse/Bind/Describe/Execute/Close: answered in order; an error
//	            │     switches to "skip until Sync"
//	            │ Sync: ReadyForQuery; portals dropped outside a transaction block
//	            │ Flush: write buffered output
//	            └ Terminate, FATAL error, broken socket, idle timeout, Shutdown ─▶ close
//
// The transaction status is a small state machine too: 'I' ─BEGIN▶ 'T'
// ─error▶ 'E' ─COMMIT/ROLLBACK▶ 'I'. In 'E' every statement but COMMIT and
// ROLLBACK gets 25P02. SETs made in a block are undone by ROLLBACK; SET
// LOCAL ends with the block; cursors declared in a block close with it.
//
// # Invariants
//
//   - Errors become ErrorResponse in exactly one function, conn.sendError,
//     which also logs them. Errors from other layers are *pgerr.Error with
//     their SQLSTATE; anything else is XX000. A FATAL error is sent and the
//     connection closes.
//   - The reason an authentication failed is logged, never sent: the client
//     gets a generic 28P01.
//   - A statement runs under a context cancelled by a matching
//     CancelRequest (57014 "due to user request"), by the statement timeout
//     (57014 "due to statement timeout"; SET statement_timeout can shorten
//     Options.StatementTimeout, never lift it) and by Close. The driver must
//     honour it. Options.WriteTimeout frees a session whose client stops
//     reading mid-result.
//   - Options.MaxConnections (all sessions) and MaxTenantConnections (per
//     AppID) refuse sessions beyond them with FATAL 53300; cancel
//     connections are never counted. A session releases its tenant
//     (Tenant.Release) when it ends.
//   - BackendKeyData is random (crypto/rand); the secret is compared in
//     constant time; a wrong key is silently ignored, as in PostgreSQL.
//   - The session never outlives its token: once tenancy.Context.ExpiresAt
//     passes, the next Query or Execute gets FATAL 28P01 and the
//     connection closes.
//   - Malformed input is a FATAL 08P01 and a closed connection, never a
//     crash: startup packets are capped at 10,000 bytes, the password
//     message at 64 KiB, other messages at Options.MaxMessageSize. A panic
//     in a connection is recovered, logged with its stack, and ends only
//     that connection with FATAL XX000.
//   - Rows are streamed to the client as the backend produces them (flushed
//     every 32 KiB), except when a portal is read in pieces (Execute with a
//     row limit) or through a cursor (FETCH): then its rows are buffered on
//     first use, up to Options.MaxPortalBuffer bytes (54000 beyond), and
//     released as they are sent.
//   - Options.Metrics, when set, counts sessions, statements by outcome and
//     SQLSTATE class, and planning and backend time, under
//     frontend="pgwire"; the REST API feeds the same registry.
//   - Only the connection goroutine touches the session, statements and
//     portals; conn.mu guards what other goroutines reach (the statement's
//     cancel function, shutdown flags).
//
// # Debugging
//
// Run with LATTICE_PROXY_TRACE=1 to print every message in and out of every
// connection in libpq's PQtrace format on stderr. Client errors are logged
// at debug level with their SQLSTATE, FATAL ones at info, internal errors
// (XX000) and recovered panics at error. The protocol tests use a raw
// pgproto3.Frontend (rawClient in the tests) to assert exact message
// sequences; add a case there when a client misbehaves, then check the same
// sequence against a real PostgreSQL. FuzzFrontend and FuzzStartup keep the
// server honest on arbitrary input; commit crashers under testdata/fuzz/.
package proxy
