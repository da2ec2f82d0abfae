package main

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/sgchain/sgchain/sim"
)

// dotNodeStyles are the node attributes of each node class.
var dotNodeStyles = map[string]string{
	"attacker":     `shape=box, style="rounded,filled", fillcolor="#fdecea", color="#b71c1c"`,
	"distribution": `shape=box, style="rounded,filled,dashed", fillcolor="#fff4e5", color="#b71c1c"`,
	"tier":         `shape=box, style="rounded,filled", fillcolor="#e8f0fe", color="#1f4e8c"`,
	"exposed":      `shape=box, style="rounded,filled", fillcolor="#e8f0fe", color="#d62728", penwidth=3`,
	"outside":      `shape=box, style="rounded,filled", fillcolor="#f1f1f1", color="#777777"`,
}

// writeGraphDOT writes the view as a Graphviz digraph laid out left to
// right, with one cluster per column. Invisible edges between the columns
// keep them in layout order even where no flow connects two of them.
func writeGraphDOT(w io.Writer, v *graphView) {
	fmt.Fprintf(w, "digraph %s {\n", dotQuote(v.scenario.Name))
	fmt.Fprintf(w, "  graph [rankdir=LR, newrank=true, nodesep=0.45, ranksep=1.0, fontname=\"Helvetica\", fontsize=14, labelloc=t, label=%s];\n",
		dotQuote("sgchain graph of "+v.scenario.Name))
	fmt.Fprintln(w, `  node [fontname="Helvetica", fontsize=12, margin="0.18,0.08"];`)
	fmt.Fprintln(w, `  edge [fontname="Helvetica", fontsize=10, arrowsize=0.8];`)

	for _, c := range v.columns {
		if len(c.nodes) == 0 {
			continue
		}
		title := c.title
		if c.verdict != "" {
			title += ": " + c.verdict
		}
		fmt.Fprintf(w, "\n  subgraph cluster_%s {\n", c.key)
		fmt.Fprintf(w, "    label=%s; style=\"rounded\"; color=\"#c8c8c8\";", dotQuote(title))
		if c.verdict != "" {
			fmt.Fprintf(w, " fontcolor=%q;", verdictColor(c.verdict))
		}
		fmt.Fprintln(w)
		var ids []string
		for _, i := range c.nodes {
			n := &v.nodes[i]
			fmt.Fprintf(w, "    %s [label=%s, %s];\n", n.id, dotQuote(n.Name+"\n"+n.detail), dotNodeStyles[n.class()])
			ids = append(ids, n.id)
		}
		fmt.Fprintf(w, "    { rank=same; %s; }\n", strings.Join(ids, "; "))
		fmt.Fprintln(w, "  }")
	}

	fmt.Fprintln(w)
	for _, e := range v.edges {
		s := styleOf(e.class)
		attrs := fmt.Sprintf("label=%s, color=%q, fontcolor=%q, penwidth=%s", dotQuote(e.label), s.color, s.color,
			formatDecimal(s.width*0.8))
		if s.dashed {
			attrs += ", style=dashed"
		}
		if v.nodes[e.to].column <= v.nodes[e.from].column {
			// An edge back to an earlier column must not pull the columns
			// out of layout order.
			attrs += ", constraint=false"
		}
		fmt.Fprintf(w, "  %s -> %s [%s];\n", v.nodes[e.from].id, v.nodes[e.to].id, attrs)
	}

	// Chain the first node of each column to the next one's, invisibly.
	var firsts []string
	for _, c := range v.columns {
		if len(c.nodes) > 0 {
			firsts = append(firsts, v.nodes[c.nodes[0]].id)
		}
	}
	if len(firsts) > 1 {
		fmt.Fprintf(w, "  %s [style=invis];\n", strings.Join(firsts, " -> "))
	}

	writeDOTLegend(w, firsts)
	fmt.Fprintln(w, "}")
}

// writeDOTLegend writes the legend as one table in the last column.
func writeDOTLegend(w io.Writer, firsts []string) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, `  legend [shape=plaintext, fontsize=10, label=<<table border="1" color="#c8c8c8" cellborder="0" cellspacing="2" cellpadding="2">`)
	fmt.Fprintln(w, `    <tr><td colspan="2"><b>legend</b></td></tr>`)
	for _, es := range edgeStyles {
		line := "&#8212;&#8212;&#8212;"
		if es.style.dashed {
			line = "- - - -"
		}
		fmt.Fprintf(w, `    <tr><td align="left"><font color="%s"><b>%s</b></font></td><td align="left">%s</td></tr>`+"\n",
			es.style.color, line, html.EscapeString(es.style.short))
	}
	fmt.Fprintln(w, "  </table>>];")
	if len(firsts) > 0 {
		fmt.Fprintf(w, "  { rank=same; legend; %s; }\n", firsts[len(firsts)-1])
	}
}

// verdictColor is the color of a stage verdict's text.
func verdictColor(verdict string) string {
	if verdict == sim.Holds {
		return "#2e7d32"
	}
	return "#d62728"
}

// dotQuote renders s as a DOT double-quoted string. In such a string only
// the double quote needs a backslash, but Graphviz reads backslash escapes
// such as \N and \l in labels, so a backslash is doubled as well. Line
// breaks become \n, which Graphviz draws as a centered line break.
func dotQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r', '\t':
			b.WriteByte(' ')
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
