package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// rootDir is the repository root: tests run in the package folder.
var rootDir = func() string {
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return dir
}()

// run runs sgchain from the repository root, so that the paths in its output
// read as a user at the root would see them.
func run(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	t.Chdir(rootDir)
	var out, errOut bytes.Buffer
	status = Run(args, &out, &errOut, func(string) string { return "" })
	return out.String(), errOut.String(), status
}

// golden compares got with the file at path (relative to the repository
// root), or rewrites the file with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	path = filepath.Join(rootDir, path)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file: %v (run go test ./cmd/sgchain -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test ./cmd/sgchain -update after checking the change):\n%s", path, diffLines(string(want), got))
	}
}

// diffLines shows the first lines where want and got differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}

func shippedScenarios(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(rootDir, "scenarios", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped scenarios found: %v", err)
	}
	for i, f := range files {
		rel, _ := filepath.Rel(rootDir, f)
		files[i] = filepath.ToSlash(rel)
	}
	return files
}

func TestCheckGoldenOutput(t *testing.T) {
	for _, file := range shippedScenarios(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			for _, format := range []string{"text", "json"} {
				stdout, stderr, status := run(t, "check", "--format", format, file)
				if status == exitInvalid {
					t.Fatalf("check %s exited 2: %s", file, stderr)
				}
				golden(t, "testdata/golden/check/"+name+"."+map[string]string{"text": "txt", "json": "json"}[format], stdout)
			}
		})
	}
}

func TestCommandHelp(t *testing.T) {
	all := [][]string{{"--help"}}
	for _, c := range commands {
		all = append(all, []string{c.name, "--help"})
	}
	for _, args := range all {
		stdout, stderr, status := run(t, args...)
		if status != exitOK {
			t.Errorf("sgchain %s exited %d, want 0; stderr: %s", strings.Join(args, " "), status, stderr)
		}
		name := "sgchain"
		if args[0] != "--help" {
			name += "-" + args[0]
		}
		golden(t, "testdata/golden/help/"+name+".txt", stdout)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // a fragment of stderr
	}{
		{"no command", nil, "Usage:"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"no file", []string{"check"}, "missing scenario file"},
		{"unknown flag", []string{"check", "--colour", "scenarios/three-tier.yaml"}, "unknown flag: --colour"},
		{"bad format", []string{"check", "--format", "yaml", "scenarios/three-tier.yaml"}, `invalid format "yaml": expected one of text, json`},
		{"missing file", []string{"check", "scenarios/no-such-file.yaml"}, "no-such-file.yaml"},
		{"invalid scenario", []string{"check", "testdata/invalid/unknown-keys.yaml"}, "error:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, status := run(t, tc.args...)
			if status != exitInvalid {
				t.Errorf("exit status = %d, want 2", status)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing on a usage or input error", stdout)
			}
		})
	}
}

// Secret origin custom header values must never appear in any output.
func TestCheckNeverPrintsSecrets(t *testing.T) {
	secrets := map[string]bool{}
	for _, file := range shippedScenarios(t) {
		data, err := os.ReadFile(filepath.Join(rootDir, file))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		for i, line := range lines {
			// A value line directly followed by "secret: true" in the same
			// header mapping.
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "value:"); ok && i+1 < len(lines) && strings.Contains(lines[i+1], "secret: true") {
				secrets[strings.Trim(strings.TrimSpace(v), `"'`)] = true
			}
		}
	}
	if len(secrets) == 0 {
		t.Fatal("found no secret header values in the shipped scenarios")
	}
	for _, file := range shippedScenarios(t) {
		for _, args := range [][]string{{"check", file}, {"check", "--verbose", file}, {"check", "--format", "json", file}} {
			stdout, stderr, _ := run(t, args...)
			for s := range secrets {
				if strings.Contains(stdout, s) || strings.Contains(stderr, s) {
					t.Errorf("sgchain %s printed the secret value %q", strings.Join(args, " "), s)
				}
			}
		}
	}
}
