// Package chaintest runs the expectations of sgchain scenarios as Go tests,
// so that a design's chain stays chained on every change.
//
// A scenario states its expected verdicts in an expect section (see
// docs/scenario-format.md, "Expectations"). Run turns every scenario file
// into a subtest and every expectation that does not hold into a test error
// that starts with the scenario's file and line:
//
//	func TestScenarios(t *testing.T) {
//		chaintest.Run(t, "scenarios/*.yaml")
//	}
//
// Evaluate is the same check for one loaded scenario, for callers that
// report the outcomes themselves.
package chaintest
