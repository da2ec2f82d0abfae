package chaintest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ScenarioFiles expands paths into scenario files. A directory stands for
// every .yaml and .yml file below it, a glob pattern (with *, ? or [) for
// the files and directories it matches, and any other path for itself.
// Files come in argument order, each directory's in lexical order, without
// duplicates. A pattern that matches nothing and a path that does not exist
// are errors.
func ScenarioFiles(paths ...string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(file string) {
		if !seen[file] {
			seen[file] = true
			out = append(out, file)
		}
	}
	for _, p := range paths {
		matches := []string{p}
		if strings.ContainsAny(p, "*?[") {
			var err error
			if matches, err = filepath.Glob(p); err != nil {
				return nil, fmt.Errorf("invalid pattern %q: %w", p, err)
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("%s matches no file", p)
			}
		}
		for _, m := range matches {
			info, err := os.Stat(m)
			if err != nil {
				return nil, err
			}
			if !info.IsDir() {
				add(m)
				continue
			}
			files, err := filesBelow(m)
			if err != nil {
				return nil, err
			}
			if len(files) == 0 {
				return nil, fmt.Errorf("directory %s contains no .yaml or .yml file", m)
			}
			for _, f := range files {
				add(f)
			}
		}
	}
	return out, nil
}

// filesBelow returns the .yaml and .yml files below dir, in lexical order.
func filesBelow(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && slices.Contains([]string{".yaml", ".yml"}, filepath.Ext(path)) {
			out = append(out, path)
		}
		return nil
	})
	return out, err
}
