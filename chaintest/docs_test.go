package chaintest_test

import (
	"os"
	"strings"
	"testing"
)

// The example of the Expectations section of docs/scenario-format.md must
// hold for the scenario that the section names.
func TestDocumentedExampleHolds(t *testing.T) {
	doc, err := os.ReadFile("../docs/scenario-format.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Expectations\n")
	if !ok {
		t.Fatal("docs/scenario-format.md has no Expectations section")
	}
	_, block, ok := strings.Cut(section, "```yaml\n")
	if !ok {
		t.Fatal("the Expectations section has no YAML example")
	}
	block, _, _ = strings.Cut(block, "```")
	const scenario = "scenarios/three-tier-db-subnet-cidrs.yaml"
	if !strings.Contains(section, "These expectations hold for `"+scenario+"`") {
		t.Fatalf("the Expectations section no longer names %s as the scenario of its example", scenario)
	}

	data, err := os.ReadFile("../" + scenario)
	if err != nil {
		t.Fatal(err)
	}
	src, _, _ := strings.Cut(string(data), "\nexpect:")
	res := evaluate(t, scenario, src+"\n"+block)
	if len(res.Outcomes) == 0 {
		t.Fatal("the example has no expectations")
	}
	for _, o := range res.Outcomes {
		if !o.Passed {
			t.Errorf("documented example: %s", o.Failure())
		}
	}
}
