package schema

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/lattice-sql/lattice/schema/pgerr"
)

// Load reads the repository's files and compiles them.
func Load(ctx context.Context, repo Repository) (*Model, error) {
	files, err := repo.Files(ctx)
	if err != nil {
		var pe *pgerr.Error
		if errors.As(err, &pe) {
			return nil, err
		}
		return nil, pgerr.Wrap(err, pgerr.InvalidObjectDefinition, "cannot read data model")
	}
	return Compile(files)
}

// DirRepository is a directory of model files: every *.yml and *.yaml under
// Root, recursively, named by their slash-separated path relative to Root.
// Files are read through os.Root, so a symbolic link cannot lead outside Root.
type DirRepository struct {
	Root string
}

var _ Repository = DirRepository{}

// Files returns the model files sorted by name.
func (r DirRepository) Files(ctx context.Context) ([]File, error) {
	root, names, err := r.list(ctx)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	files := make([]File, 0, len(names))
	fsys := root.FS().(fs.ReadFileFS)
	for _, e := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := fsys.ReadFile(e.name)
		if err != nil {
			return nil, pgerr.Wrap(err, pgerr.InvalidObjectDefinition, "cannot read data model file %q", e.name)
		}
		files = append(files, File{Name: e.name, Content: b})
	}
	return files, nil
}

// Version hashes the files' names, sizes and modification times: cheap, and
// it changes whenever a file is added, removed or rewritten.
func (r DirRepository) Version(ctx context.Context) (string, error) {
	root, names, err := r.list(ctx)
	if err != nil {
		return "", err
	}
	root.Close()
	h := sha256.New()
	var buf [16]byte
	for _, e := range names {
		h.Write([]byte(e.name))
		binary.LittleEndian.PutUint64(buf[:8], uint64(e.size))
		binary.LittleEndian.PutUint64(buf[8:], uint64(e.mtime))
		h.Write(buf[:])
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

type entry struct {
	name  string
	size  int64
	mtime int64
}

func (r DirRepository) list(ctx context.Context) (*os.Root, []entry, error) {
	root, err := os.OpenRoot(r.Root)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, pgerr.New(pgerr.InvalidObjectDefinition, "data model directory %q does not exist", r.Root)
		}
		return nil, nil, pgerr.Wrap(err, pgerr.InvalidObjectDefinition, "cannot open data model directory %q", r.Root)
	}
	var names []entry
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir // .git and the like
			}
			return nil
		}
		if ext := path.Ext(p); ext != ".yml" && ext != ".yaml" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		names = append(names, entry{name: p, size: info.Size(), mtime: info.ModTime().UnixNano()})
		return nil
	})
	if err != nil {
		root.Close()
		if ctx.Err() != nil {
			return nil, nil, pgerr.Wrap(err, pgerr.QueryCanceled, "reading data model directory %q", r.Root)
		}
		return nil, nil, pgerr.Wrap(err, pgerr.InvalidObjectDefinition, "cannot read data model directory %q", r.Root)
	}
	slices.SortFunc(names, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	return root, names, nil
}

// MemoryRepository is an in-memory model: file name → content. Handy for
// tests and for Go programs that build their models themselves.
type MemoryRepository map[string]string

var _ Repository = MemoryRepository{}

// Files returns the files sorted by name.
func (r MemoryRepository) Files(ctx context.Context) ([]File, error) {
	files := make([]File, 0, len(r))
	for _, name := range r.names() {
		files = append(files, File{Name: name, Content: []byte(r[name])})
	}
	return files, nil
}

// Version hashes the names and contents.
func (r MemoryRepository) Version(ctx context.Context) (string, error) {
	h := sha256.New()
	var buf [8]byte
	for _, name := range r.names() {
		for _, s := range []string{name, r[name]} {
			binary.LittleEndian.PutUint64(buf[:], uint64(len(s)))
			h.Write(buf[:])
			h.Write([]byte(s))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

func (r MemoryRepository) names() []string {
	names := make([]string, 0, len(r))
	for name := range r {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
