package schema

import "context"

// A File is one model source file.
type File struct {
	Name    string // path relative to the repository root, for messages
	Content []byte
}

// A Repository holds a tenant's data model files (Cube's repositoryFactory).
type Repository interface {
	// Files returns the model files (*.yml, *.yaml) in a stable order.
	Files(ctx context.Context) ([]File, error)
	// Version returns a value that changes whenever the files change, so a
	// cached model can be recompiled.
	Version(ctx context.Context) (string, error)
}
