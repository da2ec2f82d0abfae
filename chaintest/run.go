package chaintest

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// TB is the part of *testing.T that Run uses, with T the type itself, so
// that *testing.T and *testing.B satisfy it as they are. A test of Run can
// pass a recorder of its own.
type TB[T any] interface {
	Helper()
	Errorf(format string, args ...any)
	Skipf(format string, args ...any)
	Run(name string, f func(T)) bool
}

// Run checks the scenario files that paths name (see ScenarioFiles) as
// subtests of t, one per file, named after the file without its extension.
// Each expectation that does not hold, and each error in a file, is a test
// error that starts with the file and line. A file without an expect
// section is skipped.
func Run[T TB[T]](t T, paths ...string) {
	t.Helper()
	files, err := ScenarioFiles(paths...)
	if err != nil {
		t.Errorf("chaintest: %v", err)
		return
	}
	if len(files) == 0 {
		t.Errorf("chaintest: no scenario files given")
		return
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		t.Run(name, func(t T) {
			t.Helper()
			runFile(t, file)
		})
	}
}

// runFile loads one scenario and reports its failed expectations to t.
func runFile[T TB[T]](t T, file string) {
	t.Helper()
	s, diags := model.Load(file)
	if diags.HasErrors() {
		for _, d := range diags {
			if d.Severity == model.Error {
				t.Errorf("%s", d)
			}
		}
		return
	}
	if s.Expect == nil {
		t.Skipf("%s has no expect section", file)
		return
	}
	res, err := Evaluate(s)
	if err != nil {
		t.Errorf("%s: %v", file, err)
		return
	}
	for _, o := range res.Outcomes {
		if !o.Passed {
			t.Errorf("%s", failureAt(file, o))
		}
	}
}

// failureAt renders a failed outcome with the file and line it comes from.
func failureAt(file string, o Outcome) string {
	return fmt.Sprintf("%s:%d: %s", file, o.Pos.Line, o.Failure())
}
