package model

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Severity tells errors from warnings.
type Severity int

// Severities.
const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in a scenario file.
type Diagnostic struct {
	Severity Severity
	// Summary is a short phrase reused across cases, such as "Unknown key".
	Summary string
	// Detail is a sentence saying what was expected and what was found.
	Detail string
	// Path is the key path of the offending node, such as
	// security_groups.alb.ingress[1].ports.
	Path string
	Pos  Pos
}

// String renders d in the compiler convention, on two lines:
//
//	file:line:column: error: summary
//	  path: detail
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.Pos.File != "" {
		b.WriteString(d.Pos.File)
		b.WriteString(":")
	}
	if d.Pos.IsValid() {
		fmt.Fprintf(&b, "%d:%d:", d.Pos.Line, d.Pos.Column)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "%s: %s", d.Severity, d.Summary)
	if d.Path != "" || d.Detail != "" {
		b.WriteString("\n  ")
		if d.Path != "" {
			b.WriteString(d.Path)
			if d.Detail != "" {
				b.WriteString(": ")
			}
		}
		b.WriteString(d.Detail)
	}
	return b.String()
}

// Diagnostics is a list of problems. The nil list means no problems.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == Error })
}

// Sort orders ds by file, line and column, then by path and summary, and drops
// exact duplicates.
func (ds Diagnostics) Sort() Diagnostics {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Summary, b.Summary),
			cmp.Compare(a.Detail, b.Detail),
		)
	})
	return slices.Compact(ds)
}

// Err returns the errors in ds joined into one error, or nil when there are
// none.
func (ds Diagnostics) Err() error {
	var errs []error
	for _, d := range ds {
		if d.Severity == Error {
			errs = append(errs, errors.New(d.String()))
		}
	}
	return errors.Join(errs...)
}
