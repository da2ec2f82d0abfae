package model

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadValidFile(t *testing.T) {
	s, ds := Load("testdata/valid/minimal.yaml")
	if len(ds) > 0 {
		t.Fatalf("Load reported:\n%s", render(ds))
	}
	if s.File != "testdata/valid/minimal.yaml" || s.Name != "minimal" {
		t.Errorf("scenario = %q from %q", s.Name, s.File)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()

	// A sparse file larger than the limit: Load must reject it from its
	// size alone.
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()

	tests := []struct {
		name, path, summary string
	}{
		{"missing file", filepath.Join(dir, "nope.yaml"), "Cannot read file"},
		{"directory", dir, "Cannot read file"},
		{"too large", big, "File too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ds := Load(tt.path)
			if s == nil || s.File != tt.path {
				t.Errorf("scenario = %+v, want an empty one for %s", s, tt.path)
			}
			if len(ds) != 1 || ds[0].Summary != tt.summary || ds[0].Severity != Error {
				t.Fatalf("diagnostics = %s, want one %q", render(ds), tt.summary)
			}
			if ds[0].Pos.File != tt.path || ds[0].Detail == "" {
				t.Errorf("diagnostic = %+v", ds[0])
			}
		})
	}
}

func TestLoadEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, ds := Load(path)
	if len(ds) != 1 || ds[0].Summary != "Empty file" {
		t.Fatalf("diagnostics = %s", render(ds))
	}
}
