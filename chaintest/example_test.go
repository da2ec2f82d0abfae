package chaintest_test

import (
	"fmt"
	"strings"

	"github.com/sgchain/sgchain/chaintest"
	"github.com/sgchain/sgchain/model"
)

// A Go test that checks every scenario of a repository. Each scenario file
// becomes a subtest, and each expectation that no longer holds fails it
// with the scenario's file and line.
func Example() {
	// In a file such as network_test.go:
	//
	//	func TestNetworkDesigns(t *testing.T) {
	//		chaintest.Run(t, "scenarios/*.yaml")
	//	}
}

// printer shows what Run reports, the way go test prints subtests and
// their errors.
type printer struct{ indent string }

func (p printer) Helper() {}

func (p printer) Errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fmt.Println(p.indent + strings.ReplaceAll(msg, "\n", "\n"+p.indent))
}

func (p printer) Skipf(format string, args ...any) {
	fmt.Println(p.indent + "skip: " + fmt.Sprintf(format, args...))
}

func (p printer) Run(name string, f func(printer)) bool {
	fmt.Println(p.indent + "=== RUN " + name)
	f(printer{indent: p.indent + "    "})
	return true
}

func ExampleRun() {
	chaintest.Run(printer{}, "testdata/open-database.yaml")
	// Output:
	// === RUN open-database
	//     testdata/open-database.yaml:49: expect.stages[0]: expected every stage to hold for internet, but stage 3 [db] is skippable for internet: internet reaches db (stage 3) without passing alb, app: admitted by security_groups.db.ingress[1] (tcp 5432 from 0.0.0.0/0)
	//       cause: testdata/open-database.yaml:25:9
	//       path: internet > db
	//       packet: tcp 203.0.113.7 -> 198.51.100.11:5432
	//     testdata/open-database.yaml:54: expect.flows[0]: expected flow internet -> db tcp 5432 to be impossible, but a packet of the flow arrives at db along internet > db
	//       cause: testdata/open-database.yaml:25:9
	//       path: internet > db
	//       packet: tcp 203.0.113.7 -> 198.51.100.11:5432
}

func ExampleEvaluate() {
	s, diags := model.Load("testdata/open-database.yaml")
	if diags.HasErrors() {
		fmt.Println(diags.Err())
		return
	}
	res, err := chaintest.Evaluate(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range res.Outcomes {
		status := "fail"
		if o.Passed {
			status = "pass"
		}
		fmt.Printf("%s line %d: %s\n", status, o.Pos.Line, o.Expected)
	}
	fmt.Printf("%d passed, %d failed\n", res.Passed(), res.Failed())
	// Output:
	// fail line 49: every stage to hold for internet
	// pass line 51: intended hop alb -> app to hold
	// pass line 52: intended hop app -> db to hold
	// fail line 54: flow internet -> db tcp 5432 to be impossible
	// 2 passed, 2 failed
}
