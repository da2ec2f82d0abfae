package model

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Limits on scenario files. A real scenario is a few hundred lines; the
// limits only stop hostile or corrupt input from exhausting memory or time.
const (
	// MaxFileSize is the largest scenario file accepted, in bytes.
	MaxFileSize = 8 << 20
	// MaxDepth is the deepest nesting of mappings and lists accepted,
	// counting the scalar at the bottom as one level.
	MaxDepth = 64
	// MaxAliasExpansion is the most nodes that expanding aliases may add
	// to a document.
	MaxAliasExpansion = 10000
)

// Load reads the scenario file at path and decodes it with Parse. It checks
// the file's size before reading it.
func Load(path string) (*Scenario, Diagnostics) {
	fail := func(summary, format string, args ...any) (*Scenario, Diagnostics) {
		return &Scenario{File: path}, Diagnostics{{
			Severity: Error,
			Summary:  summary,
			Detail:   fmt.Sprintf(format, args...),
			Pos:      Pos{File: path},
		}}
	}

	// A problem with the content points at its start, so that editors
	// open the file there.
	failAtStart := func(summary, format string, args ...any) (*Scenario, Diagnostics) {
		s, ds := fail(summary, format, args...)
		ds[0].Pos.Line, ds[0].Pos.Column = 1, 1
		return s, ds
	}

	f, err := os.Open(path)
	if err != nil {
		return fail("Cannot read file", "Opening the scenario failed: %v.", err)
	}
	defer f.Close()

	info, err := f.Stat()
	if err != nil {
		return fail("Cannot read file", "Reading the scenario failed: %v.", err)
	}
	if info.IsDir() {
		return fail("Cannot read file", "%s is a directory. Give the path of a scenario file.", path)
	}
	if info.Mode().IsRegular() && info.Size() > MaxFileSize {
		return failAtStart("File too large", "The file has %d bytes, more than the limit of %d (8 MiB). A scenario file is YAML text of a few kilobytes.", info.Size(), MaxFileSize)
	}

	// The limit guards against files that grow after Stat and against
	// devices and pipes, whose size Stat does not know.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return fail("Cannot read file", "Reading the scenario failed: %v.", err)
	}
	return Parse(path, data)
}

// Parse decodes a scenario from data. file names the source in diagnostic
// positions. Parse never panics. Every problem in data becomes a diagnostic,
// and all of them are reported at once, sorted by position, up to
// MaxDiagnostics.
//
// The returned scenario is never nil. When the diagnostics contain errors it
// may be incomplete, and callers should not use it.
func Parse(file string, data []byte) (*Scenario, Diagnostics) {
	d := newDecoder(file)
	d.parse(data)
	clampPositions(d.diags, data)
	return d.s, d.diags.Sort()
}

// clampPositions moves a position past the end of data to the start of the
// last line. The YAML parser places an empty node at the end of the input,
// such as the document of a file that holds only "---", on the line after
// the last.
func clampPositions(ds Diagnostics, data []byte) {
	lines := 0
	for i := range ds {
		if ds[i].Pos.Line <= 1 {
			continue
		}
		if lines == 0 {
			lines = lineCount(data)
		}
		if ds[i].Pos.Line > lines {
			ds[i].Pos.Line, ds[i].Pos.Column = lines, 1
		}
	}
}

func (d *decoder) parse(data []byte) {
	first := &yaml.Node{Line: 1, Column: 1}
	switch {
	case len(data) == 0:
		d.errorf(first, "", "Empty file", "The scenario file is empty. A scenario is a YAML mapping with at least name, vpcs, tiers and chain.")
		return
	case len(data) > MaxFileSize:
		d.errorf(first, "", "File too large", "The file has %d bytes, more than the limit of %d (8 MiB). A scenario file is YAML text of a few kilobytes.", len(data), MaxFileSize)
		return
	}
	if !d.checkEncoding(data) {
		return
	}

	doc, ok := d.parseYAML(data)
	if !ok {
		return
	}
	if !d.checkTree(doc) {
		return
	}
	d.decodeScenario(newValue(doc.Content[0], nil, ""))
}

// checkEncoding reports input that is not UTF-8 text, with the position of
// the first offending byte. YAML allows tab, line feed and carriage return
// as the only C0 control characters, and none of the C1 ones but NEL.
func (d *decoder) checkEncoding(data []byte) bool {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		d.errorf(&yaml.Node{Line: 1, Column: 1}, "", "Invalid encoding", "The file starts with a UTF-16 byte order mark. Save the scenario as UTF-8.")
		return false
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		at := func() *yaml.Node { return &yaml.Node{Line: line, Column: col} }
		switch {
		case r == utf8.RuneError && size <= 1:
			d.errorf(at(), "", "Invalid encoding", "Byte 0x%02X at offset %d is not valid UTF-8. Save the scenario as UTF-8 text.", data[i], i)
			return false
		case r == 0:
			d.errorf(at(), "", "Invalid character", "The file contains a NUL byte at offset %d, so it is binary data rather than a YAML scenario.", i)
			return false
		case isLineBreak(data, i, r):
			line, col = line+1, 0
		case r == '\t', r == '\r', r == 0xFEFF:
		case r < 0x20, r >= 0x7F && r < 0xA0, r == 0xFFFE, r == 0xFFFF:
			d.errorf(at(), "", "Invalid character", "The file contains the control character %U at offset %d, which YAML does not allow. Remove it.", r, i)
			return false
		}
		i += size
		col++
	}
	return true
}

// isLineBreak reports whether rune r at offset i of data ends a line as the
// YAML parser counts lines: a line feed, a carriage return not followed by a
// line feed, NEL, or the Unicode line and paragraph separators.
func isLineBreak(data []byte, i int, r rune) bool {
	switch r {
	case '\n', 0x85, 0x2028, 0x2029:
		return true
	case '\r':
		return i+1 == len(data) || data[i+1] != '\n'
	}
	return false
}

// lineCount returns the number of lines of data as the YAML parser counts
// them.
func lineCount(data []byte) int {
	n := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if isLineBreak(data, i, r) {
			n++
		}
		i += size
	}
	return n
}

// parseYAML parses data into a node tree and returns its single document.
func (d *decoder) parseYAML(data []byte) (doc *yaml.Node, ok bool) {
	defer func() {
		// The YAML library reports errors by returning them. A panic from
		// it is a bug there, which must not take down the caller.
		if r := recover(); r != nil {
			d.errorf(&yaml.Node{Line: 1, Column: 1}, "", "Invalid YAML", "The YAML parser failed: %v.", r)
			doc, ok = nil, false
		}
	}()

	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc = new(yaml.Node)
	if err := dec.Decode(doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errorf(&yaml.Node{Line: 1, Column: 1}, "", "Empty file", "The file contains no YAML document, only blank lines or comments. A scenario is a YAML mapping with at least name, vpcs, tiers and chain.")
		} else {
			d.yamlError(data, err)
		}
		return nil, false
	}

	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		d.errorf(&next, "", "Multiple documents", "The file contains more than one YAML document. A scenario file holds one document, so remove this --- and what follows, or move it to its own file.")
		return nil, false
	case !errors.Is(err, io.EOF):
		d.yamlError(data, err)
		return nil, false
	}

	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		d.errorf(&yaml.Node{Line: 1, Column: 1}, "", "Empty file", "The file contains no YAML document.")
		return nil, false
	}
	root := doc.Content[0]
	if resolve(root).Kind != yaml.MappingNode {
		d.errorf(root, "", "Wrong type", "Expected the scenario as a mapping with keys such as name, vpcs, tiers and chain, got %s.", describe(resolve(root)))
		return nil, false
	}
	return doc, true
}

// yamlLine matches the position prefix of a YAML syntax error.
var yamlLine = regexp.MustCompile(`^line (\d+): `)

// yamlUnknownAnchor matches the error for an alias without an anchor.
var yamlUnknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// yamlParserErrors maps the messages of go.yaml.in/yaml/v3's parser, as
// opposed to its scanner, to details for users. For these the library
// reports the 0-based line of the construct that encloses the problem, or
// of the problem itself when the construct starts on the first line, so the
// 1-based line is one more. It leaves the line out when it is 0, for parser
// and scanner errors alike.
var yamlParserErrors = map[string]string{
	"did not find expected <stream-start>":   "",
	"did not find expected <document start>": "",
	"found undefined tag handle":             "",
	"did not find expected node content":     "",
	"did not find expected '-' indicator":    "A list that starts on or before this line has a line that is not an item at the list's indentation. Check the indentation of the lines from here on.",
	"did not find expected key":              "A mapping that starts on or before this line has a line that is neither a key nor indented like its keys. Check the indentation of the lines from here on.",
	"did not find expected ',' or ']'":       "A flow list that starts on or before this line is not closed with ]. Check for a missing comma or bracket.",
	"did not find expected ',' or '}'":       "A flow mapping that starts on or before this line is not closed with }. Check for a missing comma or brace.",
	"found duplicate %YAML directive":        "",
	"found incompatible YAML document":       "",
	"found duplicate %TAG directive":         "",
}

// yamlError reports a syntax error from the YAML parser. The parser gives
// only a line, so the column is 1 unless the problem is a tab in the
// indentation or an alias without an anchor, whose positions are found in
// data.
func (d *decoder) yamlError(data []byte, err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		msg = msg[len(m[0]):]
		if n, convErr := strconv.Atoi(m[1]); convErr == nil && n > 0 {
			line = n
			if _, parserError := yamlParserErrors[msg]; parserError {
				line++
			}
		}
	}
	// At the end of the input the library can report the line after the
	// last one.
	line = min(line, lineCount(data))
	at := &yaml.Node{Line: line, Column: 1}
	detail := yamlParserErrors[msg]
	if detail == "" {
		detail = capitalize(msg) + ". Check the indentation and quoting on this line and the lines before it."
	}

	switch {
	case strings.Contains(msg, "cannot start any token"):
		if tabLine, tabCol, found := findIndentTab(data); found {
			at = &yaml.Node{Line: tabLine, Column: tabCol}
			detail = "The line is indented with a tab. YAML indentation must use spaces."
		}
	case yamlUnknownAnchor.MatchString(msg):
		name := yamlUnknownAnchor.FindStringSubmatch(msg)[1]
		if aliasLine, aliasCol, found := findAlias(data, name); found {
			at = &yaml.Node{Line: aliasLine, Column: aliasCol}
		}
		detail = fmt.Sprintf("The alias *%s refers to no anchor. Define the anchor &%s on an earlier node, or write the value out.", name, name)
	}
	d.errorf(at, "", "Invalid YAML", "%s", detail)
}

// findAlias returns the position of the first alias *name in data.
func findAlias(data []byte, name string) (line, col int, found bool) {
	target := []byte("*" + name)
	for i := 0; ; {
		j := bytes.Index(data[i:], target)
		if j < 0 {
			return 0, 0, false
		}
		at := i + j
		end := at + len(target)
		if end == len(data) || bytes.IndexByte([]byte(" \t\r\n,]}"), data[end]) >= 0 {
			before := data[:at]
			line = bytes.Count(before, []byte("\n")) + 1
			col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
			return line, col, true
		}
		i = end
	}
}

// findIndentTab returns the position of the first tab in the leading
// whitespace of a line.
func findIndentTab(data []byte) (line, col int, found bool) {
	for i, l := range bytes.Split(data, []byte("\n")) {
		for j, c := range l {
			if c == '\t' {
				return i + 1, j + 1, true
			}
			if c != ' ' {
				break
			}
		}
	}
	return 0, 0, false
}
