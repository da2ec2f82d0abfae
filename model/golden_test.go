package model

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGoldenInvalid parses each scenario in testdata/invalid at the
// repository root and compares the rendered diagnostics with NAME.golden
// next to it. Run with -update to rewrite the golden files.
func TestGoldenInvalid(t *testing.T) {
	files, err := filepath.Glob("../testdata/invalid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("found %d invalid scenarios, want at least 20", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			displayName := "testdata/invalid/" + filepath.Base(file)
			_, ds := Parse(displayName, data)
			if !ds.HasErrors() {
				t.Errorf("%s loads without errors", displayName)
			}
			got := render(ds) + "\n"

			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./model -run TestGoldenInvalid -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("diagnostics for %s differ from %s.\ngot:\n%s\nwant:\n%s", displayName, golden, got, want)
			}
		})
	}
}
