package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/sgchain/sgchain/chaintest"
)

// The JUnit XML form of a test run: one testsuite per scenario file and one
// testcase per expectation. A scenario without an expect section is one
// skipped testcase. The element and attribute names are the ones CI systems
// read from Ant's and Maven Surefire's reports.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func writeJUnit(w io.Writer, run []testFile, totals testTotals) error {
	out := junitSuites{Name: "sgchain test", Tests: totals.passed + totals.failed + totals.skipped,
		Failures: totals.failed, Skipped: totals.skipped}
	for _, tf := range run {
		suite := junitSuite{Name: tf.file}
		classname := tf.scenario.Name
		if tf.result == nil {
			suite.Tests, suite.Skipped = 1, 1
			suite.Cases = []junitCase{{Name: "expect", Classname: classname, File: tf.file,
				Skipped: &junitSkipped{Message: "the scenario has no expect section"}}}
			out.Suites = append(out.Suites, suite)
			continue
		}
		for _, o := range tf.result.Outcomes {
			c := junitCase{Name: o.Path + ": " + o.Expected, Classname: classname, File: tf.file, Line: o.Pos.Line}
			if !o.Passed {
				c.Failure = &junitFailure{Message: "expected " + o.Expected + ", but " + o.Found, Type: sarifExpectationFailed,
					Text: junitFailureText(tf.file, o)}
				suite.Failures++
			}
			suite.Cases = append(suite.Cases, c)
			suite.Tests++
		}
		out.Suites = append(out.Suites, suite)
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitFailureText is a failure's body: the file:line:column of the
// expectation, what was found, and the counterexample's path, packet and
// hops, one line each.
func junitFailureText(file string, o chaintest.Outcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: %s", file, o.Pos.Line, o.Pos.Column, o.Failure())
	for i, h := range o.Hops {
		fmt.Fprintf(&b, "\n  hop %d: %s -> %s: %s", i+1, h.From, h.To, h.Packet.String())
		for _, st := range h.Steps {
			mark := "pass"
			if !st.Allowed {
				mark = "drop"
			}
			fmt.Fprintf(&b, "\n    %s %s: %s", mark, st.Filter, st.Detail)
		}
	}
	return b.String()
}
