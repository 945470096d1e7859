package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/lattice-sql/lattice/schema"
)

// errInvalid reports that validate printed problems (exit 1).
var errInvalid = errors.New("the data model has problems")

// cmdValidate compiles models and prints every problem as
// file:line:column: message. With --config it checks the model folder of
// every tenant the repository_factory path can name: the folder itself
// when the path has no template holes, else every folder below the path's
// literal root (model/{{ authInfo.appId }} checks each model/<app>).
func cmdValidate(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", stderr)
	model := fs.String("model", "", "a data model folder")
	configPath := fs.String("config", "", "a config file: check it and every model folder it can name")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*model == "") == (*configPath == "") {
		return errors.New("validate needs exactly one of --model DIR or --config FILE")
	}
	dirs := []string{*model}
	if *configPath != "" {
		cfg, err := loadConfig(*configPath)
		if err != nil {
			return err
		}
		rf := cfg.Tenancy.RepositoryFactory
		if rf.Path.IsConst() {
			dirs = []string{absTo(cfg.Dir, rf.Path.Source)}
		} else {
			entries, err := os.ReadDir(rf.Root)
			if err != nil {
				return fmt.Errorf("repository_factory: %v", err)
			}
			dirs = nil
			for _, e := range entries {
				if e.IsDir() {
					dirs = append(dirs, filepath.Join(rf.Root, e.Name()))
				}
			}
			if len(dirs) == 0 {
				return fmt.Errorf("repository_factory: no model folders under %s", rf.Root)
			}
		}
	}
	bad := 0
	for _, dir := range dirs {
		m, err := schema.Load(context.Background(), schema.DirRepository{Root: dir})
		if err == nil {
			fmt.Fprintf(stdout, "%s: ok (%d cubes)\n", dir, len(m.Cubes))
			continue
		}
		var problems schema.Errors
		if !errors.As(err, &problems) {
			fmt.Fprintf(stdout, "%s: %v\n", dir, err)
			bad++
			continue
		}
		for _, p := range problems {
			p.File = filepath.Join(dir, p.File)
			fmt.Fprintln(stdout, p.Error())
		}
		bad += len(problems)
	}
	if bad > 0 {
		return fmt.Errorf("%w: %d", errInvalid, bad)
	}
	return nil
}

func absTo(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}
