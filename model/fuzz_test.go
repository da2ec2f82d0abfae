package model

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that every diagnostic has a
// summary and, for non-empty input, a position inside the input, and that a
// scenario without errors is complete. The seeds are the scenarios under
// testdata and scenarios/ at the repository root.
func FuzzParse(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"../testdata/invalid/*.yaml", "testdata/valid/*.yaml", "../scenarios/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, files...)
	}
	for _, file := range seeds {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(baseScenario))

	f.Fuzz(func(t *testing.T, data []byte) {
		s, ds := Parse("fuzz.yaml", data)
		if s == nil {
			t.Fatal("Parse returned a nil scenario")
		}
		lines := yamlLines(data)
		for _, d := range ds {
			if d.Summary == "" {
				t.Errorf("diagnostic without summary: %+v", d)
			}
			if d.Pos.File != "fuzz.yaml" {
				t.Errorf("diagnostic in file %q: %+v", d.Pos.File, d)
			}
			if len(data) == 0 {
				continue
			}
			if !d.Pos.IsValid() || d.Pos.Column < 1 || d.Pos.Line > lines {
				t.Errorf("diagnostic with position %d:%d outside the %d-line input: %s", d.Pos.Line, d.Pos.Column, lines, d)
			}
		}
		if !ds.HasErrors() {
			checkResolved(t, s)
		}
	})
}

// yamlLines counts the lines of data the way YAML does: CR LF, CR, LF, NEL,
// LS and PS each end a line.
func yamlLines(data []byte) int {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	n := 1
	for _, r := range s {
		switch r {
		case '\n', '\r', 0x85, 0x2028, 0x2029:
			n++
		}
	}
	return n
}
