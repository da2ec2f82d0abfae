package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// threeTierSecret is the secret origin header value of the three-tier
// scenarios, which no output may contain.
const threeTierSecret = "dummy-value-not-a-real-secret"

// runIn runs sgchain in dir, so that paths in its output are relative to
// dir.
func runIn(t *testing.T, dir string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	status = Run(args, &out, &errOut, func(string) string { return "" })
	return out.String(), errOut.String(), status
}

// brokenCopy writes scenarios/three-tier.yaml to a temporary directory with
// one change: the ALB's listener rule matches any value of the secret
// header instead of the secret. Any account's CloudFront distribution can
// add the header, so the ALB and the app become skippable, and exactly the
// scenario's stage expectation fails.
func brokenCopy(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(rootDir, "scenarios", "three-tier.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const rule = `values: ["dummy-value-not-a-real-secret"]`
	if bytes.Count(data, []byte(rule)) != 1 {
		t.Fatalf("scenarios/three-tier.yaml no longer has exactly one %s", rule)
	}
	dir := t.TempDir()
	broken := bytes.Replace(data, []byte(rule), []byte(`values: ["*"]`), 1)
	if err := os.WriteFile(filepath.Join(dir, "three-tier.yaml"), broken, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// lineOf returns the 1-based line of the first line of file that contains s.
func lineOf(t *testing.T, file, s string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, s) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line containing %q", file, s)
	return 0
}

var totalsLine = regexp.MustCompile(`^(\d+) passed, (\d+) failed(, (\d+) skipped)?$`)

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestTestShippedScenariosPass(t *testing.T) {
	files := shippedScenarios(t)
	stdout, stderr, status := run(t, append([]string{"test"}, files...)...)
	if status != exitOK {
		t.Fatalf("sgchain test exited %d, want 0\nstdout:\n%s\nstderr:\n%s", status, stdout, stderr)
	}
	m := totalsLine.FindStringSubmatch(lastLine(stdout))
	if m == nil {
		t.Fatalf("last line = %q, want \"N passed, N failed\"", lastLine(stdout))
	}
	if m[1] == "0" || m[2] != "0" || m[3] != "" {
		t.Errorf("last line = %q, want some passed, 0 failed and none skipped", m[0])
	}
	for _, f := range files {
		if !strings.Contains(stdout, "ok    "+f+"  ") {
			t.Errorf("no ok line for %s in:\n%s", f, stdout)
		}
	}
}

func TestTestDirectoryRecurses(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(rootDir, "scenarios", "three-tier.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	noExpect, _, _ := bytes.Cut(data, []byte("\nexpect:"))
	for name, content := range map[string][]byte{
		"a/three-tier.yaml":      data,
		"a/b/no-expect.yml":      noExpect,
		"a/b/notes.txt":          []byte("not a scenario"),
		"a/b/c/three-tier-2.yml": data,
	} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stdout, stderr, status := runIn(t, dir, "test", "a")
	if status != exitOK {
		t.Fatalf("exit status = %d, want 0; stderr: %s", status, stderr)
	}
	if got := lastLine(stdout); got != "22 passed, 0 failed, 1 skipped" {
		t.Errorf("last line = %q, want 22 passed, 0 failed, 1 skipped (two files of 11 expectations and one without)", got)
	}
	if !strings.Contains(stdout, "skip  "+filepath.Join("a", "b", "no-expect.yml")+"  no expect section") {
		t.Errorf("no skip line for the file without expect section:\n%s", stdout)
	}
}

func TestTestBrokenRuleFailsOneExpectation(t *testing.T) {
	dir := brokenCopy(t)
	line := lineOf(t, filepath.Join(dir, "three-tier.yaml"), "- {attacker: internet, verdict: holds}")

	stdout, stderr, status := runIn(t, dir, "test", "three-tier.yaml")
	if status != exitFindings {
		t.Errorf("exit status = %d, want 1; stderr: %s", status, stderr)
	}
	if got := lastLine(stdout); got != "10 passed, 1 failed" {
		t.Errorf("last line = %q, want 10 passed, 1 failed", got)
	}
	want := "  three-tier.yaml:" + itoa(line) + ":7: expect.stages[0]: expected every stage to hold for internet, but stage 2 [alb] is skippable for internet, stage 3 [app] is skippable for internet"
	if !strings.Contains(stdout, want) {
		t.Errorf("output lacks the failure at the expectation's line:\n%s\nwant a line starting:\n%s", stdout, want)
	}
	if n := strings.Count(stdout, ": expected "); n != 1 {
		t.Errorf("output reports %d failed expectations, want 1:\n%s", n, stdout)
	}
	for _, part := range []string{"    path: internet > internet/own-distribution > alb", "    packet: tcp ", "    cause: three-tier.yaml:"} {
		if !strings.Contains(stdout, part) {
			t.Errorf("output lacks %q:\n%s", part, stdout)
		}
	}

	_, _, status = runIn(t, dir, "test", "--soft-fail", "three-tier.yaml")
	if status != exitOK {
		t.Errorf("with --soft-fail, exit status = %d, want 0", status)
	}
}

func TestTestOutputGolden(t *testing.T) {
	dir := brokenCopy(t)
	for format, ext := range map[string]string{"text": "txt", "json": "json", "junit": "junit.xml", "sarif": "sarif"} {
		stdout, stderr, status := runIn(t, dir, "test", "--format", format, "three-tier.yaml")
		if status != exitFindings {
			t.Errorf("--format %s: exit status = %d, want 1; stderr: %s", format, status, stderr)
		}
		golden(t, "testdata/golden/test/broken-listener-rule."+ext, stdout)
	}
}

func TestTestJUnitStructure(t *testing.T) {
	dir := brokenCopy(t)
	data, err := os.ReadFile(filepath.Join(dir, "three-tier.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	noExpect, _, _ := bytes.Cut(data, []byte("\nexpect:"))
	if err := os.WriteFile(filepath.Join(dir, "plain.yaml"), noExpect, 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, _ := runIn(t, dir, "test", "--format", "junit", "three-tier.yaml", "plain.yaml")

	var got junitSuites
	if err := xml.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("output is not JUnit XML: %v\n%s", err, stdout)
	}
	if got.Tests != 12 || got.Failures != 1 || got.Skipped != 1 {
		t.Errorf("testsuites tests=%d failures=%d skipped=%d, want 12, 1 and 1", got.Tests, got.Failures, got.Skipped)
	}
	if len(got.Suites) != 2 {
		t.Fatalf("%d testsuites, want one per file", len(got.Suites))
	}
	suite := got.Suites[0]
	if suite.Name != "three-tier.yaml" || len(suite.Cases) != 11 || suite.Failures != 1 {
		t.Errorf("first suite %q has %d cases and %d failures, want three-tier.yaml, 11 and 1", suite.Name, len(suite.Cases), suite.Failures)
	}
	var failed []junitCase
	for _, c := range suite.Cases {
		if c.Failure != nil {
			failed = append(failed, c)
		}
	}
	if len(failed) != 1 {
		t.Fatalf("%d failed testcases, want 1", len(failed))
	}
	line := lineOf(t, filepath.Join(dir, "three-tier.yaml"), "- {attacker: internet, verdict: holds}")
	if failed[0].Line != line || !strings.HasPrefix(failed[0].Failure.Text, "three-tier.yaml:"+itoa(line)+":7: expect.stages[0]") {
		t.Errorf("failure at line %d with text %q, want line %d and text starting with the file:line", failed[0].Line, failed[0].Failure.Text, line)
	}
	if skipped := got.Suites[1]; skipped.Skipped != 1 || len(skipped.Cases) != 1 || skipped.Cases[0].Skipped == nil {
		t.Errorf("suite for a file without expect section = %+v, want one skipped testcase", skipped)
	}
}

func TestTestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("name: x\nexpect: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string // a fragment of stderr
	}{
		{"no path", []string{"test"}, "missing scenario file or directory"},
		{"missing file", []string{"test", "no-such-file.yaml"}, "no-such-file.yaml"},
		{"pattern without match", []string{"test", "*.json"}, "*.json matches no file"},
		{"bad format", []string{"test", "--format", "xml", "bad.yaml"}, `invalid format "xml": expected one of text, json, junit, sarif`},
		{"invalid scenario", []string{"test", "bad.yaml"}, "bad.yaml:"},
		{"invalid scenario with --soft-fail", []string{"test", "--soft-fail", "bad.yaml"}, "error:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, status := runIn(t, dir, tc.args...)
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

// A failed expectation's packet carries the secret header; no format may
// print its value.
func TestTestNeverPrintsSecrets(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(rootDir, "scenarios", "three-tier-leaked-secret.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Claim the leaked secret changes nothing: the stage expectations
	// fail with packets that carry the secret value.
	const skippable = "stage: 2, verdict: skippable}"
	if !bytes.Contains(data, []byte(skippable)) {
		t.Fatalf("three-tier-leaked-secret.yaml lacks %q", skippable)
	}
	data = bytes.Replace(data, []byte(skippable), []byte("stage: 2, verdict: holds}"), 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "leaked.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"text", "json", "junit", "sarif"} {
		stdout, stderr, status := runIn(t, dir, "test", "--verbose", "--format", format, "leaked.yaml")
		if status != exitFindings {
			t.Errorf("--format %s: exit status = %d, want 1; stderr: %s", format, status, stderr)
		}
		if !strings.Contains(stdout, "secret value") {
			t.Errorf("--format %s: output shows no placeholder for the secret header:\n%s", format, stdout)
		}
		if strings.Contains(stdout, threeTierSecret) || strings.Contains(stderr, threeTierSecret) {
			t.Errorf("--format %s printed the secret value", format)
		}
	}
}

// compileSARIFSchema compiles the official SARIF 2.1.0 schema shipped in
// testdata, asserting formats such as uri.
func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join(rootDir, "testdata", "sarif", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(sarifSchemaURI, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(sarifSchemaURI)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// validateSARIF checks out against the schema and the parts GitHub code
// scanning reads, and returns it decoded.
func validateSARIF(t *testing.T, sch *jsonschema.Schema, out string) map[string]any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("output does not validate against SARIF 2.1.0: %v", err)
	}

	var log map[string]any
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	runs := log["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("%d runs, want 1", len(runs))
	}

	driver := runs[0].(map[string]any)["tool"].(map[string]any)["driver"].(map[string]any)
	for _, key := range []string{"name", "informationUri", "semanticVersion", "rules"} {
		if _, ok := driver[key]; !ok {
			t.Errorf("driver lacks %q", key)
		}
	}
	rules := driver["rules"].([]any)
	for i, r := range rules {
		r := r.(map[string]any)
		for _, key := range []string{"id", "shortDescription", "fullDescription", "help", "defaultConfiguration"} {
			if _, ok := r[key]; !ok {
				t.Errorf("rule %d lacks %q", i, key)
			}
		}
		if help, _ := r["help"].(map[string]any); help["text"] == nil || help["markdown"] == nil {
			t.Errorf("rule %d help = %v, want text and markdown", i, r["help"])
		}
	}

	for i, res := range runs[0].(map[string]any)["results"].([]any) {
		res := res.(map[string]any)
		index := int(res["ruleIndex"].(float64))
		if index < 0 || index >= len(rules) || rules[index].(map[string]any)["id"] != res["ruleId"] {
			t.Errorf("result %d: ruleIndex %d does not name rule %v", i, index, res["ruleId"])
		}
		if res["level"] == nil || res["partialFingerprints"] == nil {
			t.Errorf("result %d lacks level or partialFingerprints", i)
		}
		loc := res["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
		artifact := loc["artifactLocation"].(map[string]any)
		if uri := artifact["uri"].(string); strings.HasPrefix(uri, "/") || strings.Contains(uri, ":") || artifact["uriBaseId"] != "%SRCROOT%" {
			t.Errorf("result %d: artifactLocation = %v, want a relative uri with uriBaseId %%SRCROOT%%", i, artifact)
		}
		region := loc["region"].(map[string]any)
		if region["startLine"] == nil || region["startColumn"] == nil {
			t.Errorf("result %d: region = %v, want startLine and startColumn", i, region)
		}
	}
	return log
}

func TestCheckSARIF(t *testing.T) {
	sch := compileSARIFSchema(t)
	files := shippedScenarios(t)
	stdout, stderr, status := run(t, append([]string{"check", "--format", "sarif"}, files...)...)
	if status != exitFindings {
		t.Fatalf("exit status = %d, want 1; stderr: %s", status, stderr)
	}
	log := validateSARIF(t, sch, stdout)

	// Compare every result with the finding it comes from.
	var findings []jsonFinding
	for _, f := range files {
		out, _, _ := run(t, "check", "--format", "json", f)
		var r jsonReport
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		findings = append(findings, r.Findings...)
	}
	results := log["runs"].([]any)[0].(map[string]any)["results"].([]any)
	if len(results) != len(findings) {
		t.Fatalf("%d results, want one per finding (%d)", len(results), len(findings))
	}
	for i, res := range results {
		res := res.(map[string]any)
		f := findings[i]
		if res["ruleId"] != f.Code {
			t.Errorf("result %d ruleId = %v, want %s", i, res["ruleId"], f.Code)
			continue
		}
		region := res["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)["region"].(map[string]any)
		want := f.Location
		if f.Kind == "skip" {
			// A skip points at the rule that admitted the packet.
			want = firstIngressRule(f)
		}
		if want != nil && (int(region["startLine"].(float64)) != want.Line || int(region["startColumn"].(float64)) != want.Column) {
			t.Errorf("result %d (%s) at %v, want %d:%d", i, f.Code, region, want.Line, want.Column)
		}
		flows, _ := res["codeFlows"].([]any)
		if len(f.Hops) > 0 {
			if len(flows) != 1 {
				t.Fatalf("result %d has %d code flows, want 1", i, len(flows))
			}
			locs := flows[0].(map[string]any)["threadFlows"].([]any)[0].(map[string]any)["locations"].([]any)
			if len(locs) != len(f.Hops) {
				t.Errorf("result %d code flow has %d locations, want one per hop (%d)", i, len(locs), len(f.Hops))
			}
			msg := locs[0].(map[string]any)["location"].(map[string]any)["message"].(map[string]any)["text"].(string)
			if !strings.HasPrefix(msg, "Hop 1, "+f.Hops[0].From+" -> "+f.Hops[0].To+": ") {
				t.Errorf("result %d first hop message = %q", i, msg)
			}
		}
	}
	if strings.Contains(stdout, threeTierSecret) {
		t.Error("SARIF output contains the secret value")
	}
}

// firstIngressRule returns the location of the first ingress step that a
// rule decided, on a finding's path.
func firstIngressRule(f jsonFinding) *jsonLocation {
	for _, h := range f.Hops {
		for _, st := range h.Steps {
			if st.Filter == "receiver ingress" && st.Rule != "" && st.Location != nil {
				return st.Location
			}
		}
	}
	return f.Location
}

func TestTestSARIF(t *testing.T) {
	sch := compileSARIFSchema(t)
	dir := brokenCopy(t)
	stdout, _, _ := runIn(t, dir, "test", "--format", "sarif", "three-tier.yaml")
	log := validateSARIF(t, sch, stdout)
	results := log["runs"].([]any)[0].(map[string]any)["results"].([]any)
	if len(results) != 1 {
		t.Fatalf("%d results, want one per failed expectation (1)", len(results))
	}
	res := results[0].(map[string]any)
	if res["ruleId"] != sarifExpectationFailed || res["level"] != "error" {
		t.Errorf("result rule %v level %v, want %s and error", res["ruleId"], res["level"], sarifExpectationFailed)
	}
	region := res["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)["region"].(map[string]any)
	line := lineOf(t, filepath.Join(dir, "three-tier.yaml"), "- {attacker: internet, verdict: holds}")
	if int(region["startLine"].(float64)) != line || int(region["startColumn"].(float64)) != 7 {
		t.Errorf("result at %v, want %d:7, the expectation", region, line)
	}
	if related, _ := res["relatedLocations"].([]any); len(related) != 1 {
		t.Errorf("result has %d related locations, want the rule behind the failure", len(related))
	}
	if flows, _ := res["codeFlows"].([]any); len(flows) != 1 {
		t.Errorf("result has %d code flows, want the counterexample's path", len(flows))
	}
}

func TestCheckSoftFail(t *testing.T) {
	_, _, status := run(t, "check", "--soft-fail", "scenarios/nakama-dual-token.yaml")
	if status != exitOK {
		t.Errorf("check --soft-fail with findings exited %d, want 0", status)
	}
	_, _, status = run(t, "check", "--soft-fail", "testdata/invalid/expect-empty.yaml")
	if status != exitInvalid {
		t.Errorf("check --soft-fail on an invalid scenario exited %d, want 2", status)
	}
}
