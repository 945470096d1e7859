package schema

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lattice-sql/lattice/schema/pgerr"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDirRepository(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "z.yaml"), "cubes:\n")
	write(t, filepath.Join(dir, "a.yml"), okCube)
	write(t, filepath.Join(dir, "sub", "b.yml"), "")
	write(t, filepath.Join(dir, "notes.txt"), "not a model")
	write(t, filepath.Join(dir, ".git", "c.yml"), "not: [a model")
	repo := DirRepository{Root: dir}

	files, err := repo.Files(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{"a.yml", "sub/b.yml", "z.yaml"}, names); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if string(files[0].Content) != okCube {
		t.Errorf("a.yml content = %q", files[0].Content)
	}

	v1, err := repo.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := repo.Version(ctx); v != v1 {
		t.Errorf("version changed without a change: %s, %s", v1, v)
	}
	// Same size, new mtime: a rewrite.
	write(t, filepath.Join(dir, "sub", "b.yml"), "")
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "sub", "b.yml"), later, later); err != nil {
		t.Fatal(err)
	}
	v2, _ := repo.Version(ctx)
	if v2 == v1 {
		t.Error("version did not change when a file was rewritten")
	}
	write(t, filepath.Join(dir, "sub", "new.yml"), "")
	v3, _ := repo.Version(ctx)
	if v3 == v2 {
		t.Error("version did not change when a file was added")
	}
	write(t, filepath.Join(dir, "ignored.txt"), "x")
	if v4, _ := repo.Version(ctx); v4 != v3 {
		t.Error("a non-model file changed the version")
	}
	if err := os.Remove(filepath.Join(dir, "sub", "new.yml")); err != nil {
		t.Fatal(err)
	}
	if v5, _ := repo.Version(ctx); v5 != v2 {
		t.Error("removing the added file did not restore the version")
	}

	m, err := Load(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Cubes) != 1 || m.Cubes[0].Pos.File != "a.yml" {
		t.Errorf("loaded %d cubes, first from %v", len(m.Cubes), m.Cubes[0].Pos)
	}
}

func TestDirRepositoryErrors(t *testing.T) {
	ctx := t.Context()
	missing := filepath.Join(t.TempDir(), "nope")
	for _, call := range []func() error{
		func() error { _, err := DirRepository{Root: missing}.Files(ctx); return err },
		func() error { _, err := DirRepository{Root: missing}.Version(ctx); return err },
		func() error { _, err := Load(ctx, DirRepository{Root: missing}); return err },
	} {
		err := call()
		pe := pgerr.From(err)
		want := `data model directory "` + missing + `" does not exist`
		if pe.Code != pgerr.InvalidObjectDefinition || pe.Message != want {
			t.Errorf("missing directory: %s %q, want 42P17 %q", pe.Code, pe.Message, want)
		}
	}

	// A symbolic link cannot lead out of the root.
	outside := t.TempDir()
	write(t, filepath.Join(outside, "secret.yml"), okCube)
	root := t.TempDir()
	if err := os.Symlink(filepath.Join(outside, "secret.yml"), filepath.Join(root, "link.yml")); err != nil {
		t.Fatal(err)
	}
	if _, err := (DirRepository{Root: root}).Files(ctx); pgerr.Code(err) != pgerr.InvalidObjectDefinition {
		t.Errorf("symlink out of root: %v", err)
	}

	// An invalid model in a directory fails with its file name.
	dir := t.TempDir()
	write(t, filepath.Join(dir, "m", "bad.yml"), "cubes:\n  - name: a\n")
	_, err := Load(ctx, DirRepository{Root: dir})
	if pe := pgerr.From(err); pe.Message != `m/bad.yml:2:5: cube "a" needs sql_table or sql` {
		t.Errorf("invalid model: %q", pe.Message)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := (DirRepository{Root: dir}).Files(cancelled); pgerr.Code(err) != pgerr.QueryCanceled || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

type failingRepo struct{}

func (failingRepo) Files(context.Context) ([]File, error)   { return nil, errors.New("disk on fire") }
func (failingRepo) Version(context.Context) (string, error) { return "", nil }

func TestLoadRepositoryError(t *testing.T) {
	_, err := Load(t.Context(), failingRepo{})
	pe := pgerr.From(err)
	if pe.Code != pgerr.InvalidObjectDefinition || pe.Message != "cannot read data model: disk on fire" {
		t.Errorf("got %s %q", pe.Code, pe.Message)
	}
}

func TestMemoryRepository(t *testing.T) {
	ctx := t.Context()
	r := MemoryRepository{"b.yml": "cubes:\n", "a.yml": okCube}
	files, _ := r.Files(ctx)
	if len(files) != 2 || files[0].Name != "a.yml" || files[1].Name != "b.yml" {
		t.Errorf("files = %v", files)
	}
	v1, _ := r.Version(ctx)
	r2 := MemoryRepository{"b.yml": "cubes:\n", "a.yml": okCube}
	if v2, _ := r2.Version(ctx); v2 != v1 {
		t.Error("equal repositories have different versions")
	}
	r2["b.yml"] = "cubes: \n"
	if v3, _ := r2.Version(ctx); v3 == v1 {
		t.Error("version did not change with the content")
	}
	// Name and content boundaries matter: "ab"+"c" is not "a"+"bc".
	x, _ := MemoryRepository{"ab": "c"}.Version(ctx)
	y, _ := MemoryRepository{"a": "bc"}.Version(ctx)
	if x == y {
		t.Error("version ignores the name/content boundary")
	}
	m, err := Load(ctx, r)
	if err != nil || m.Cube("orders") == nil {
		t.Errorf("Load = %v, %v", m, err)
	}
}
