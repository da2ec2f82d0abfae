package chaintest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/chaintest"
)

// recorder is a chaintest.TB that records what Run reports.
type recorder struct {
	name     string
	errors   []string
	skipped  string
	subtests []*recorder
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
}

func (r *recorder) Run(name string, f func(*recorder)) bool {
	sub := &recorder{name: name}
	r.subtests = append(r.subtests, sub)
	f(sub)
	return len(sub.errors) == 0
}

func TestRunFailedExpectations(t *testing.T) {
	rec := &recorder{}
	chaintest.Run(rec, "testdata/open-database.yaml")
	if len(rec.errors) != 0 || len(rec.subtests) != 1 {
		t.Fatalf("top level: errors %q and %d subtests, want none and 1", rec.errors, len(rec.subtests))
	}
	sub := rec.subtests[0]
	if sub.name != "open-database" {
		t.Errorf("subtest name = %q, want the file name without extension", sub.name)
	}
	if len(sub.errors) != 2 {
		t.Fatalf("subtest errors = %q, want one per failed expectation (2)", sub.errors)
	}
	for i, want := range []string{"testdata/open-database.yaml:49: expect.stages[0]: ", "testdata/open-database.yaml:54: expect.flows[0]: "} {
		if !strings.HasPrefix(sub.errors[i], want) {
			t.Errorf("error %d = %q, want it to start with %q", i, sub.errors[i], want)
		}
	}
}

func TestRunSkipsFileWithoutExpectations(t *testing.T) {
	data, err := os.ReadFile("testdata/open-database.yaml")
	if err != nil {
		t.Fatal(err)
	}
	plain, _, _ := strings.Cut(string(data), "expect:")
	path := filepath.Join(t.TempDir(), "plain.yaml")
	if err := os.WriteFile(path, []byte(plain), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	chaintest.Run(rec, path)
	sub := rec.subtests[0]
	if len(sub.errors) != 0 || !strings.Contains(sub.skipped, "has no expect section") {
		t.Errorf("errors %q, skip %q, want a skip", sub.errors, sub.skipped)
	}
}

func TestRunInvalidScenario(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(path, []byte("name: bad\nexpect: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	chaintest.Run(rec, path)
	sub := rec.subtests[0]
	if len(sub.errors) == 0 {
		t.Fatal("an invalid scenario reported no error")
	}
	for _, e := range sub.errors {
		if !strings.HasPrefix(e, path+":") || !strings.Contains(e, "error:") {
			t.Errorf("error %q, want a diagnostic with the file's position", e)
		}
	}
}

func TestRunBadPaths(t *testing.T) {
	for _, paths := range [][]string{nil, {"testdata/*.json"}, {"testdata/no-such-file.yaml"}, {"testdata/["}} {
		rec := &recorder{}
		chaintest.Run(rec, paths...)
		if len(rec.errors) != 1 || len(rec.subtests) != 0 {
			t.Errorf("Run(%q): errors %q and %d subtests, want one error and none", paths, rec.errors, len(rec.subtests))
		}
	}
}

func TestScenarioFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.yaml", "a.yml", "sub/c.yaml", "sub/notes.md"} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := chaintest.ScenarioFiles(filepath.Join(dir, "b.yaml"), dir, filepath.Join(dir, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "b.yaml"), filepath.Join(dir, "a.yml"), filepath.Join(dir, "sub", "c.yaml")}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ScenarioFiles = %q, want %q (argument order, no duplicates)", got, want)
	}
	if _, err := chaintest.ScenarioFiles(filepath.Join(dir, "sub", "notes.md"), t.TempDir()); err == nil {
		t.Error("an empty directory gave no error")
	}
}
