package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// importCases are the fixtures under testdata/import, each imported into
// testdata/import/ARCH/FORMAT.golden.yaml. The fixtures of one architecture
// describe the same deployment in each format.
var importCases = []struct {
	arch, format string
	inputs       []string
}{
	{"shop", "aws", []string{"testdata/import/shop/aws"}},
	{"shop", "terraform", []string{"testdata/import/shop/terraform/plan.json"}},
	{"shop", "cloudformation", []string{"testdata/import/shop/cloudformation/template.yaml"}},
	{"game", "aws", []string{"testdata/import/game/aws"}},
	{"game", "cloudformation", []string{"testdata/import/game/cloudformation/template.json"}},
	{"ledger", "aws", []string{"testdata/import/ledger/aws"}},
	{"ledger", "terraform", []string{"testdata/import/ledger/terraform/plan.json"}},
	{"ledger", "cloudformation", []string{"testdata/import/ledger/cloudformation/template.yaml"}},
}

// fixtureSecrets are the custom header values the fixtures hold in clear
// text. No output may contain them.
var fixtureSecrets = []string{"f3b9c2e4-7a1d-4e8b-9c6f-2d5a8e1b7c30", "4d9a7c2e-1b8f-4e6a-a3c5-9f0e2b7d1c64"}

func goldenImport(arch, format string) string {
	return filepath.Join("testdata", "import", arch, format+".golden.yaml")
}

// TestImportGolden imports every fixture and compares the scenario with its
// golden file. Run go test ./cmd/sgchain -update to rewrite them.
func TestImportGolden(t *testing.T) {
	for _, tc := range importCases {
		t.Run(tc.arch+"/"+tc.format, func(t *testing.T) {
			args := append([]string{"import", tc.format, "--name", tc.arch}, tc.inputs...)
			stdout, stderr, status := run(t, args...)
			if status != exitOK {
				t.Fatalf("exit status = %d, want 0; stderr:\n%s", status, stderr)
			}
			if !strings.Contains(stderr, "sgchain import: wrote <stdout>") {
				t.Errorf("stderr does not report the written scenario:\n%s", stderr)
			}
			golden(t, goldenImport(tc.arch, tc.format), stdout)
			for _, secret := range fixtureSecrets {
				if strings.Contains(stdout, secret) || strings.Contains(stderr, secret) {
					t.Errorf("the output contains the fixture's secret header value %s", secret)
				}
			}
		})
	}
}

// TestImportedScenariosLoadAndCheck loads every golden scenario with the
// scenario loader and checks it.
func TestImportedScenariosLoadAndCheck(t *testing.T) {
	t.Chdir(rootDir)
	for _, tc := range importCases {
		path := goldenImport(tc.arch, tc.format)
		t.Run(path, func(t *testing.T) {
			s, diags := model.Load(path)
			if len(diags) > 0 {
				t.Fatalf("the imported scenario has diagnostics:\n%v", diags)
			}
			if _, err := sim.Check(s); err != nil {
				t.Fatalf("check failed: %v", err)
			}
		})
	}
}

// verdictSignature summarizes what a check decided, independent of rule
// paths and file positions: the verdict, every stage and hop verdict, and
// every finding by kind, code, tier and attacker.
func verdictSignature(t *testing.T, path string) []string {
	t.Helper()
	s, diags := model.Load(path)
	if diags.HasErrors() {
		t.Fatalf("%s does not load:\n%v", path, diags.Err())
	}
	r, err := sim.Check(s)
	if err != nil {
		t.Fatalf("checking %s failed: %v", path, err)
	}
	out := []string{"verdict " + r.Verdict}
	for _, st := range r.Stages {
		out = append(out, fmt.Sprintf("stage %s/%d %s", st.Attacker, st.Stage, st.Verdict))
	}
	for _, h := range r.Hops {
		out = append(out, fmt.Sprintf("hop %s->%s %s", h.From, h.To, h.Verdict))
	}
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("finding %s/%s tier=%s attacker=%s", f.Kind, f.Code, f.Tier, f.Attacker))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestImportAgreesWithHandwritten asserts that the scenarios imported from
// each format of one deployment get the same verdicts as each other, and
// for the shop and ledger deployments the same as the scenario written by
// hand.
func TestImportAgreesWithHandwritten(t *testing.T) {
	t.Chdir(rootDir)
	references := map[string]string{
		"shop":   "testdata/import/shop/handwritten.yaml",
		"game":   goldenImport("game", "aws"),
		"ledger": "testdata/import/ledger/handwritten.yaml",
	}
	for _, tc := range importCases {
		t.Run(tc.arch+"/"+tc.format, func(t *testing.T) {
			want := verdictSignature(t, references[tc.arch])
			got := verdictSignature(t, goldenImport(tc.arch, tc.format))
			if !slices.Equal(got, want) {
				t.Errorf("verdicts differ from %s\n got: %s\nwant: %s", references[tc.arch], strings.Join(got, "\n      "), strings.Join(want, "\n      "))
			}
		})
	}

	// The handwritten scenario is not trivially holding: it has findings
	// that every import must reproduce.
	want := verdictSignature(t, references["shop"])
	for _, line := range []string{"stage compromised-shop-worker/4 skippable", "stage peered-or-on-premises/4 skippable", "stage internet/2 holds", "hop shop-alb->shop-app holds"} {
		if !slices.Contains(want, line) {
			t.Errorf("the handwritten shop scenario lacks %q; got %v", line, want)
		}
	}

	// The ledger verdicts turn on its routes. The worker reaches the
	// database only because both VPCs route the other's block over the
	// peering. The internet does not reach the app's IPv6 address, which
	// its group admits from ::/0, only because the app subnets send ::/0
	// to an egress-only internet gateway, which lets no connection in. The
	// app's connection to the database holds because a same-Region peering
	// keeps the app's security group as the packet's identity.
	want = verdictSignature(t, references["ledger"])
	for _, line := range []string{"stage compromised-ledger-worker/3 skippable", "stage internet/2 holds", "hop ledger-app->ledger-db holds", "hop ledger-app->secretsmanager holds"} {
		if !slices.Contains(want, line) {
			t.Errorf("the handwritten ledger scenario lacks %q; got %v", line, want)
		}
	}
}

// TestImportWarnings checks that what the scenario format cannot hold is
// reported on stderr and at the top of the scenario, with its location.
func TestImportWarnings(t *testing.T) {
	tests := []struct {
		format string
		input  string
		want   []string
	}{
		{"aws", "testdata/import/shop/aws", []string{
			"redirects (to protocol HTTPS, port 443 (HTTP_301))",
			"rules.shop-alb-443.json#/Rules/1: warning (left out): rule priority 20",
			"is an S3 origin",
			"rate-limit (priority 2, RateBasedStatement)",
		}},
		{"terraform", "testdata/import/shop/terraform/plan.json", []string{
			"aws_ecs_task_definition (2)",
		}},
		{"cloudformation", "testdata/import/shop/cloudformation/template.yaml", []string{
			"prefix list pl-3b927c52 comes from parameter CloudFrontPrefixListId",
		}},
		// A route to a target the scenario format has no construct for is
		// left out with a warning at the route.
		{"aws", "testdata/import/ledger/aws", []string{
			"route-tables.json#/RouteTables/4/Routes/2: warning (not modeled): route table rtb-0e1f2a3b4c5d60775 sends 10.99.0.0/16 to virtual private gateway vgw-0a1b2c3d4e5f60799",
		}},
		{"terraform", "testdata/import/ledger/terraform/plan.json", []string{
			"(aws_route.data_office): warning (not modeled): route table aws_route_table.data sends 10.99.0.0/16 to virtual private gateway aws_vpn_gateway.office",
		}},
		{"cloudformation", "testdata/import/ledger/cloudformation/template.yaml", []string{
			"template.yaml:285:3 (Resources.DataRouteToOffice): warning (not modeled): route table DataRouteTable sends 10.99.0.0/16 to virtual private gateway OfficeVpnGateway",
			"(Resources.SecretsEndpoint): warning (mapped): the template builds service names from AWS::Region",
		}},
	}
	for _, tc := range tests {
		// The input paths are testdata/import/ARCH/....
		arch := strings.Split(tc.input, "/")[2]
		t.Run(arch+"/"+tc.format, func(t *testing.T) {
			stdout, stderr, status := run(t, "import", tc.format, tc.input)
			if status != exitOK {
				t.Fatalf("exit status = %d; stderr:\n%s", status, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if !strings.Contains(stdout, "# Warnings (") {
				t.Errorf("the scenario does not list the warnings at its top")
			}
		})
	}
}

// TestImportOutputFile writes the scenario with -o and names it after the
// file.
func TestImportOutputFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "checkout.yaml")
	stdout, stderr, status := run(t, "import", "cloudformation", "-o", out, "testdata/import/shop/cloudformation/template.yaml")
	if status != exitOK {
		t.Fatalf("exit status = %d; stderr:\n%s", status, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing when -o is given", stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\nname: checkout\n") {
		t.Errorf("the scenario is not named after the output file:\n%s", data)
	}
}

// TestImportErrors covers usage errors and input that is not what the
// format expects.
func TestImportErrors(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	if err := os.WriteFile(state, []byte(`{"format_version": "1.0", "values": {"root_module": {}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	notTemplate := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(notTemplate, []byte("name: not a template\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	oneTier := filepath.Join(dir, "one-tier")
	if err := os.Mkdir(oneTier, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(oneTier, "groups.json"), []byte(`{"SecurityGroups": []}`), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing format", []string{"import"}, "missing format or input"},
		{"unknown format", []string{"import", "pulumi", "stack.json"}, `unknown format "pulumi"`},
		{"missing input", []string{"import", "aws", filepath.Join(dir, "absent")}, "no such file"},
		{"terraform state", []string{"import", "terraform", state}, "is Terraform state, not a plan"},
		{"terraform two files", []string{"import", "terraform", state, state}, "terraform takes one file"},
		{"not a template", []string{"import", "cloudformation", notTemplate}, "has no Resources section"},
		{"too little", []string{"import", "aws", oneTier}, "a chain needs at least two"},
		{"bad prefix list", []string{"import", "aws", "--prefix-list", "pl-1", oneTier}, `invalid --prefix-list "pl-1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, status := run(t, tc.args...)
			if status != exitInvalid {
				t.Errorf("exit status = %d, want %d", status, exitInvalid)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr)
			}
		})
	}
}
