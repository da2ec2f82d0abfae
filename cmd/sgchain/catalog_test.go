package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
)

// errorLine matches the first line of a positioned error diagnostic:
// FILE:LINE:COLUMN: error: SUMMARY.
var errorLine = regexp.MustCompile(`^(.+):(\d+):(\d+): error: \S`)

// maxCatalogAlloc bounds the memory a check of one bad input may allocate
// in total. The largest generated input below is 9 MiB; the bound is far
// above what any of them needs and far below what an unbounded parse of
// hostile input would take.
const maxCatalogAlloc = 512 << 20

// checkBadInput runs "sgchain check FILE" in-process and requires exit
// status 2, nothing on stdout, and only positioned error diagnostics on
// stderr, at least one of them. It returns stderr.
func checkBadInput(t *testing.T, file string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	status := func() (status int) {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("sgchain check %s panicked: %v", file, r)
			}
		}()
		return Run([]string{"check", file}, &out, &errOut, func(string) string { return "" })
	}()
	runtime.ReadMemStats(&after)

	if status != exitInvalid {
		t.Errorf("sgchain check %s exited %d, want 2", file, status)
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q, want nothing for invalid input", out.String())
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxCatalogAlloc {
		t.Errorf("checking %s allocated %d MiB, more than the bound of %d MiB", file, alloc>>20, maxCatalogAlloc>>20)
	}

	errors := 0
	for _, line := range strings.Split(errOut.String(), "\n") {
		if strings.HasPrefix(line, "  ") || line == "" {
			continue // the detail line of a diagnostic
		}
		m := errorLine.FindStringSubmatch(line)
		if m == nil {
			if strings.Contains(line, ": warning: ") {
				continue
			}
			t.Errorf("stderr line %q is not a positioned error FILE:LINE:COLUMN: error: SUMMARY", line)
			continue
		}
		if m[1] != file || m[2] == "0" || m[3] == "0" {
			t.Errorf("error %q does not point into %s", line, file)
		}
		errors++
	}
	if errors == 0 {
		t.Errorf("sgchain check %s printed no error:\n%s", file, errOut.String())
	}
	return errOut.String()
}

// TestCheckBadInputCatalog runs every file of the bad-input catalog through
// sgchain check.
func TestCheckBadInputCatalog(t *testing.T) {
	t.Chdir(rootDir)
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Errorf("the catalog has %d bad inputs, want at least 40", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			checkBadInput(t, file)
		})
	}
}

// TestCheckGeneratedBadInputs checks inputs too large to keep in the
// repository, written to a temporary directory. They are a file over the
// 8 MiB limit, a document nested far deeper than the YAML parser allows,
// and a scenario with more problems than the diagnostics limit.
func TestCheckGeneratedBadInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}

	t.Run("file over the size limit", func(t *testing.T) {
		// Valid YAML comments, so that only the size is wrong.
		line := []byte("# padding to grow the file past the size limit of a scenario\n")
		data := bytes.Repeat(line, (9<<20)/len(line)+1)
		path := write("huge.yaml", data)
		stderr := checkBadInput(t, path)
		if want := path + ":1:1: error: File too large"; !strings.Contains(stderr, want) {
			t.Errorf("stderr = %q, want %q", headLine(stderr), want)
		}
	})

	t.Run("nesting beyond the parser's limit", func(t *testing.T) {
		const depth = 100000
		data := []byte("name: deep\ndescription: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n")
		stderr := checkBadInput(t, write("deep.yaml", data))
		if !strings.Contains(stderr, "error: Invalid YAML") && !strings.Contains(stderr, "error: Nesting too deep") {
			t.Errorf("stderr = %q, want an Invalid YAML or Nesting too deep error", headLine(stderr))
		}
	})

	t.Run("more problems than the diagnostics limit", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("name: many\nvpcs:\n  main:\n    cidr: 10.0.0.0/16\n    subnets: {a: {cidr: 10.0.0.0/24}}\ntiers:\n")
		for i := range 3 * model.MaxDiagnostics {
			fmt.Fprintf(&b, "  t%d: {kind: ecs, subnets: [nowhere-%d], security_groups: [none-%d]}\n", i, i, i)
		}
		b.WriteString("chain: [[t0], [t1]]\n")
		stderr := checkBadInput(t, write("many.yaml", []byte(b.String())))
		if n := strings.Count(stderr, ": error: "); n != model.MaxDiagnostics+1 {
			t.Errorf("printed %d errors, want %d and a note that the rest are not shown", n, model.MaxDiagnostics+1)
		}
		if !strings.Contains(stderr, "error: Too many problems") {
			t.Error("no Too many problems diagnostic")
		}
	})
}

func headLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
