package main

import (
	"bytes"
	"encoding/json"
	"runtime"
	"slices"
	"testing"
)

// TestCheckIsDeterministic runs check on every shipped scenario, in text
// and JSON, three times with GOMAXPROCS 1 and three times with GOMAXPROCS 4,
// and requires byte-identical output every time. Map iteration order in Go
// changes from run to run, so a report that depended on it would differ.
func TestCheckIsDeterministic(t *testing.T) {
	t.Chdir(rootDir)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, file := range shippedScenarios(t) {
		for _, format := range []string{"text", "json"} {
			var first string
			for _, procs := range []int{1, 1, 1, 4, 4, 4} {
				runtime.GOMAXPROCS(procs)
				var out, errOut bytes.Buffer
				status := Run([]string{"check", "--format", format, file}, &out, &errOut, func(string) string { return "" })
				if status == exitInvalid {
					t.Fatalf("check %s exited 2: %s", file, errOut.String())
				}
				if first == "" {
					first = out.String()
					continue
				}
				if out.String() != first {
					t.Errorf("check --format %s %s with GOMAXPROCS %d differs from the first run:\n%s", format, file, procs, diffLines(first, out.String()))
					break
				}
			}
		}
	}
}

// TestCheckReportDoesNotDependOnFileOrder checks all shipped scenarios in
// one run, forwards and backwards, and requires each scenario's JSON report
// to be the same in both runs.
func TestCheckReportDoesNotDependOnFileOrder(t *testing.T) {
	t.Chdir(rootDir)
	files := shippedScenarios(t)
	reports := func(order []string) map[string]string {
		var out, errOut bytes.Buffer
		if status := Run(append([]string{"check", "--format", "json"}, order...), &out, &errOut, func(string) string { return "" }); status == exitInvalid {
			t.Fatalf("check exited 2: %s", errOut.String())
		}
		var list []json.RawMessage
		if err := json.Unmarshal(out.Bytes(), &list); err != nil {
			t.Fatalf("output is not a JSON array: %v", err)
		}
		byFile := map[string]string{}
		for _, r := range list {
			var head struct {
				File string `json:"file"`
			}
			if err := json.Unmarshal(r, &head); err != nil {
				t.Fatal(err)
			}
			byFile[head.File] = string(r)
		}
		return byFile
	}
	forward := reports(files)
	reversed := slices.Clone(files)
	slices.Reverse(reversed)
	backward := reports(reversed)
	if len(forward) != len(files) {
		t.Fatalf("got %d reports for %d files", len(forward), len(files))
	}
	for file, r := range forward {
		if backward[file] != r {
			t.Errorf("the report of %s depends on the order of the files on the command line", file)
		}
	}
}
