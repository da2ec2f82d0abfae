package importer

import (
	"fmt"
	"strconv"
	"strings"
)

// Location is the position of a warning's subject in the input: a file with
// a JSON pointer for JSON, or with a line and column for YAML, and the
// resource address or logical id when there is one.
type Location struct {
	File     string
	Pointer  string
	Line     int
	Column   int
	Resource string
}

func (l Location) String() string {
	var b strings.Builder
	b.WriteString(l.File)
	switch {
	case l.Line > 0:
		b.WriteString(":" + strconv.Itoa(l.Line) + ":" + strconv.Itoa(l.Column))
	case l.Pointer != "":
		b.WriteString("#" + l.Pointer)
	}
	if l.Resource != "" {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("(" + l.Resource + ")")
	}
	return b.String()
}

// WarningKind groups warnings by what the reviewer has to do.
type WarningKind string

// Warning kinds.
const (
	// NotModeled is an AWS feature the scenario format has no construct for,
	// such as a NAT gateway. The scenario leaves it out.
	NotModeled WarningKind = "not modeled"
	// NotUnderstood is input the importer does not read, such as an
	// unknown file or resource type.
	NotUnderstood WarningKind = "not understood"
	// Mapped is a setting written as the closest construct the format has.
	Mapped WarningKind = "mapped"
	// Unresolved is a reference the importer could not follow.
	Unresolved WarningKind = "unresolved"
	// LeftOut is something the importer read but did not write, with the
	// reason.
	LeftOut WarningKind = "left out"
)

// Warning is one thing the importer could not carry over faithfully.
type Warning struct {
	Loc     Location
	Kind    WarningKind
	Message string
}

func (w Warning) String() string {
	loc := w.Loc.String()
	if loc == "" {
		return "warning (" + string(w.Kind) + "): " + w.Message
	}
	return loc + ": warning (" + string(w.Kind) + "): " + w.Message
}

// Warnings collects warnings in the order they were found.
type Warnings struct {
	List []Warning
}

// Add records a warning.
func (ws *Warnings) Add(loc Location, kind WarningKind, format string, args ...any) {
	ws.List = append(ws.List, Warning{Loc: loc, Kind: kind, Message: fmt.Sprintf(format, args...)})
}

// source describes where an object came from for a comment: its key, and
// its location when the input gives one.
func source(key string, loc Location) string {
	if loc.Resource == key || loc.Resource == "Resources."+key {
		// The key already names the resource.
		loc.Resource = ""
	}
	if l := loc.String(); l != "" {
		return key + " from " + l
	}
	return key
}
