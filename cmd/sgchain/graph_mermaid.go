package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// mermaidNodeStyles are the classDef bodies of the node classes.
var mermaidNodeStyles = []struct{ class, style string }{
	{"attacker", "fill:#fdecea,stroke:#b71c1c,color:#1a1a1a"},
	{"distribution", "fill:#fff4e5,stroke:#b71c1c,stroke-dasharray:4 3,color:#1a1a1a"},
	{"tier", "fill:#e8f0fe,stroke:#1f4e8c,color:#1a1a1a"},
	{"exposed", "fill:#e8f0fe,stroke:#d62728,stroke-width:3px,color:#1a1a1a"},
	{"outside", "fill:#f1f1f1,stroke:#777777,color:#1a1a1a"},
}

// writeGraphMermaid writes the view as a Mermaid flowchart that GitHub
// renders in a Markdown code block marked mermaid. Edges are styled by
// index with linkStyle, and the index of an edge is its position among the
// link statements, so writeGraphMermaid emits no link but the view's edges.
func writeGraphMermaid(w io.Writer, v *graphView) {
	fmt.Fprintf(w, "%%%% sgchain graph of %s (%s)\n", mermaidComment(v.scenario.Name), mermaidComment(v.scenario.File))
	fmt.Fprintln(w, "flowchart LR")

	for _, c := range v.columns {
		if len(c.nodes) == 0 {
			continue
		}
		title := c.title
		if c.verdict != "" {
			title += ": " + c.verdict
		}
		fmt.Fprintf(w, "    subgraph col_%s [\"%s\"]\n", c.key, mermaidText(title))
		for _, i := range c.nodes {
			n := &v.nodes[i]
			label := mermaidText(n.Name) + "<br/>" + mermaidText(n.detail)
			open, close := "[\"", "\"]"
			if n.class() == "attacker" {
				// A stadium shape sets attackers apart from infrastructure.
				open, close = "([\"", "\"])"
			}
			fmt.Fprintf(w, "        %s%s%s%s\n", n.id, open, label, close)
		}
		fmt.Fprintln(w, "    end")
	}

	for _, e := range v.edges {
		arrow := "-->"
		if styleOf(e.class).dashed {
			arrow = "-.->"
		}
		fmt.Fprintf(w, "    %s %s|\"%s\"| %s\n", v.nodes[e.from].id, arrow, mermaidText(e.label), v.nodes[e.to].id)
	}

	for _, c := range v.columns {
		if len(c.nodes) > 0 {
			fmt.Fprintf(w, "    style col_%s fill:#f5f6f8,stroke:#d0d7de\n", c.key)
		}
	}
	for _, s := range mermaidNodeStyles {
		fmt.Fprintf(w, "    classDef %s %s\n", s.class, s.style)
	}
	for _, s := range mermaidNodeStyles {
		var ids []string
		for i := range v.nodes {
			if v.nodes[i].class() == s.class {
				ids = append(ids, v.nodes[i].id)
			}
		}
		if len(ids) > 0 {
			fmt.Fprintf(w, "    class %s %s\n", strings.Join(ids, ","), s.class)
		}
	}
	for i, e := range v.edges {
		fmt.Fprintf(w, "    linkStyle %d %s\n", i, mermaidLinkStyle(styleOf(e.class)))
	}
}

// mermaidLinkStyle renders an edge style as the body of a linkStyle
// statement.
func mermaidLinkStyle(s edgeStyle) string {
	out := fmt.Sprintf("stroke:%s,stroke-width:%spx", s.color, strconv.FormatFloat(s.width, 'f', -1, 64))
	if s.dashed {
		out += ",stroke-dasharray:6 4"
	}
	return out
}

// mermaidText escapes s for use inside a double-quoted Mermaid label.
// Mermaid decodes "#name;" and "#number;" entity codes in labels, so every
// character that could end the string or the label, start an entity or
// read as HTML is written as a numeric entity code. Line breaks become
// spaces.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"', '#', '&', '<', '>', '`', '|', ';':
			fmt.Fprintf(&b, "#%d;", r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mermaidComment makes s safe for a "%%" comment line, which ends at the
// first line break.
func mermaidComment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
