package catalog

// A Column is one result column, known before execution so that Describe
// can answer without running anything.
type Column struct {
	Name     string
	OID      uint32 // type OID (pgtype.Int8OID, NumericOID, TextOID, ...)
	TableOID uint32 // 0 unless the column is a plain catalog/cube column
	AttNum   int16
	TypeSize int16 // -1 for variable length
	TypeMod  int32 // -1 when none
}

// Session is the connection state a statement may read: who is connected
// and the current values of the session settings (lowercase names).
// The proxy owns it; the planner never changes it.
type Session struct {
	User            string
	Database        string
	ApplicationName string
	BackendPID      int32
	Settings        map[string]string
	InTransaction   bool
}
