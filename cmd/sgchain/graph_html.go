package main

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/sgchain/sgchain/sim"
)

// graphPageStyle is the page's style sheet. The page loads nothing else.
const graphPageStyle = `
  body { margin: 0; padding: 20px; font: 14px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1f2328; background: #ffffff; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  h2 { font-size: 15px; margin: 18px 0 8px; }
  .meta, .description { color: #57606a; margin: 2px 0; }
  .verdict { display: inline-block; margin-top: 6px; padding: 2px 10px; border-radius: 12px; font-weight: 600; }
  .verdict.violated { background: #fdecea; color: #b71c1c; }
  .verdict.holds { background: #e6f4ea; color: #1e6b2a; }
  .layout { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; margin-top: 12px; }
  .diagram-pane { flex: 100 1 560px; min-width: min-content; }
  #diagram { display: block; }
  .findings-pane { flex: 1 0 320px; font-size: 13px; }
  #legend { display: flex; flex-wrap: wrap; gap: 4px 28px; margin-top: 10px; font-size: 12px; color: #333333; }
  #legend h2 { width: 100%; margin: 6px 0 0; }
  #legend ul { list-style: none; margin: 0; padding: 0; }
  #legend li { display: flex; align-items: center; gap: 8px; margin: 3px 0; }
  #legend svg { flex: none; }
  table { border-collapse: collapse; font-size: 13px; }
  th, td { text-align: left; padding: 3px 12px 3px 0; border-bottom: 1px solid #e1e4e8; vertical-align: top; }
  th { color: #57606a; font-weight: 600; }
  .verdict-cell.holds { color: #2e7d32; }
  .verdict-cell.skippable, .verdict-cell.broken { color: #d62728; font-weight: 600; }
  .note { color: #57606a; }
  .hop-verdict td:first-child { white-space: nowrap; }
  #findings { margin: 0; padding-left: 22px; }
  .finding { margin: 0 0 14px; }
  .finding .kind { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 11px; font-weight: 700; text-transform: uppercase; color: #ffffff; }
  .finding.skip .kind, .finding.broken .kind { background: #d62728; }
  .finding.warning .kind { background: #b26a00; }
  .finding .message { margin: 4px 0; }
  .finding dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 8px; margin: 4px 0; }
  .finding dt { color: #57606a; }
  .finding dd { margin: 0; overflow-wrap: anywhere; }
  .finding .why { margin: 4px 0 0; padding-left: 18px; color: #444444; }
  code { font: 12px "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; overflow-wrap: anywhere; }
  footer { margin-top: 20px; color: #57606a; font-size: 12px; }
`

// writeGraphHTML writes the view as one HTML page that needs nothing else:
// the diagram drawn as SVG, the findings beside it, the stage and hop
// verdicts, the model notes and a legend. The diagram shrinks only a
// little, so that its text stays readable, and the findings move below it
// when the window is too narrow for both. Every scenario string is escaped,
// and packets are printed with sim.Packet.String, which never shows a
// secret header value.
func writeGraphHTML(w io.Writer, v *graphView) {
	esc := html.EscapeString
	r := v.diagram.Report

	fmt.Fprintln(w, "<!DOCTYPE html>")
	fmt.Fprintln(w, `<html lang="en">`)
	fmt.Fprintln(w, "<head>")
	fmt.Fprintln(w, `<meta charset="utf-8">`)
	fmt.Fprintln(w, `<meta name="viewport" content="width=device-width, initial-scale=1">`)
	fmt.Fprintln(w, `<meta name="generator" content="sgchain graph">`)
	fmt.Fprintf(w, "<title>sgchain graph: %s</title>\n", esc(r.Scenario))
	fmt.Fprintf(w, "<style>%s</style>\n", graphPageStyle)
	fmt.Fprintln(w, "</head>")
	fmt.Fprintln(w, "<body>")

	fmt.Fprintln(w, `<header id="summary">`)
	fmt.Fprintf(w, "<h1>%s</h1>\n", esc(r.Scenario))
	if v.scenario.Description != "" {
		fmt.Fprintf(w, "<p class=\"description\">%s</p>\n", esc(v.scenario.Description))
	}
	fmt.Fprintf(w, "<p class=\"meta\">%s · chain: %s</p>\n", esc(r.File), esc(chainString(v.scenario)))
	fmt.Fprintf(w, "<p class=\"verdict %s\" id=\"verdict\">%s: %s</p>\n", esc(r.Verdict), esc(strings.ToUpper(r.Verdict)), esc(findingCounts(r)))
	fmt.Fprintln(w, "</header>")

	fmt.Fprintln(w, `<main class="layout">`)
	fmt.Fprintln(w, `<section class="diagram-pane">`)
	writeSVG(w, v)
	writeHTMLLegend(w)
	writeHTMLStages(w, r)
	writeHTMLHops(w, r)
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, `<section id="notes">`)
		fmt.Fprintln(w, "<h2>Model notes</h2>")
		fmt.Fprintln(w, "<ul>")
		for _, n := range r.Notes {
			fmt.Fprintf(w, "<li>%s</li>\n", esc(n))
		}
		fmt.Fprintln(w, "</ul>")
		fmt.Fprintln(w, "</section>")
	}
	fmt.Fprintln(w, "</section>")

	fmt.Fprintln(w, `<aside class="findings-pane">`)
	writeHTMLFindings(w, r)
	fmt.Fprintln(w, "</aside>")
	fmt.Fprintln(w, "</main>")

	fmt.Fprintf(w, "<footer>Explored %d packet classes, %d flow states and %d distinct paths.</footer>\n",
		r.Stats.PacketClasses, r.Stats.States, r.Stats.Paths)
	fmt.Fprintln(w, "</body>")
	fmt.Fprintln(w, "</html>")
}

// findingCounts summarises the findings by kind, as the text report's
// verdict line does.
func findingCounts(r *sim.Report) string {
	counts := map[sim.FindingKind]int{}
	for _, f := range r.Findings {
		counts[f.Kind]++
	}
	return fmt.Sprintf("%d skip %s, %d broken %s, %d %s",
		counts[sim.KindSkip], plural(counts[sim.KindSkip], "finding", "findings"),
		counts[sim.KindBroken], plural(counts[sim.KindBroken], "hop", "hops"),
		counts[sim.KindWarning], plural(counts[sim.KindWarning], "warning", "warnings"))
}

func writeHTMLLegend(w io.Writer) {
	esc := html.EscapeString
	fmt.Fprintln(w, `<div id="legend">`)
	fmt.Fprintln(w, "<h2>Legend</h2>")
	fmt.Fprintln(w, `<ul class="legend-edges">`)
	for _, es := range edgeStyles {
		dash := ""
		if es.style.dashed {
			dash = ` stroke-dasharray="7 5"`
		}
		fmt.Fprintf(w, `<li class="legend-edge %s"><svg width="48" height="12" aria-hidden="true"><line x1="1" y1="6" x2="38" y2="6" stroke="%s" stroke-width="%s"%s/><path d="M38,1 L47,6 L38,11 z" fill="%s"/></svg>%s</li>`+"\n",
			es.class, es.style.color, formatDecimal(es.style.width), dash, es.style.color, esc(es.style.legend))
	}
	fmt.Fprintln(w, "</ul>")
	fmt.Fprintln(w, `<ul class="legend-nodes">`)
	fills := map[string][3]string{ // fill, stroke, stroke-width
		"attacker":     {"#fdecea", "#b71c1c", "1.5"},
		"distribution": {"#fff4e5", "#b71c1c", "1.5"},
		"tier":         {"#e8f0fe", "#1f4e8c", "1.5"},
		"exposed":      {"#e8f0fe", "#d62728", "3"},
		"outside":      {"#f1f1f1", "#777777", "1.5"},
	}
	for _, n := range nodeLegend {
		f := fills[n.class]
		dash := ""
		if n.class == "distribution" {
			dash = ` stroke-dasharray="5 3"`
		}
		fmt.Fprintf(w, `<li class="legend-node %s"><svg width="48" height="18" aria-hidden="true"><rect x="2" y="2" width="44" height="14" rx="4" fill="%s" stroke="%s" stroke-width="%s"%s/></svg>%s</li>`+"\n",
			n.class, f[0], f[1], f[2], dash, esc(n.text))
	}
	fmt.Fprintln(w, "</ul>")
	fmt.Fprintln(w, "</div>")
}

func writeHTMLStages(w io.Writer, r *sim.Report) {
	esc := html.EscapeString
	fmt.Fprintln(w, `<section id="stage-verdicts">`)
	fmt.Fprintln(w, "<h2>Stages</h2>")
	if len(r.Stages) == 0 {
		fmt.Fprintln(w, "<p>No stage after the first to check.</p>")
		fmt.Fprintln(w, "</section>")
		return
	}
	fmt.Fprintln(w, "<table>")
	fmt.Fprintln(w, "<thead><tr><th>attacker</th><th>stage</th><th>tiers</th><th>verdict</th></tr></thead>")
	fmt.Fprintln(w, "<tbody>")
	for _, st := range r.Stages {
		note := ""
		if st.Note != "" {
			note = ` <span class="note">(` + esc(st.Note) + ")</span>"
		}
		fmt.Fprintf(w, "<tr class=\"stage-verdict\"><td>%s</td><td>stage %d</td><td>%s</td><td class=\"verdict-cell %s\">%s%s</td></tr>\n",
			esc(st.Attacker), st.Stage, esc(strings.Join(st.Tiers, ", ")), esc(st.Verdict), esc(st.Verdict), note)
	}
	fmt.Fprintln(w, "</tbody>")
	fmt.Fprintln(w, "</table>")
	fmt.Fprintln(w, "</section>")
}

func writeHTMLHops(w io.Writer, r *sim.Report) {
	esc := html.EscapeString
	fmt.Fprintln(w, `<section id="hop-verdicts">`)
	fmt.Fprintln(w, "<h2>Intended hops</h2>")
	if len(r.Hops) == 0 {
		fmt.Fprintln(w, "<p>The scenario declares no intended hop.</p>")
		fmt.Fprintln(w, "</section>")
		return
	}
	fmt.Fprintln(w, "<table>")
	fmt.Fprintln(w, "<thead><tr><th>hop</th><th>verdict</th><th>intended packet</th></tr></thead>")
	fmt.Fprintln(w, "<tbody>")
	for _, h := range r.Hops {
		verdict := esc(h.Verdict)
		if h.Reason != "" {
			verdict += ` <span class="note">` + esc(h.Reason) + "</span>"
		}
		packet := ""
		if h.Packet != nil {
			packet = "<code>" + esc(h.Packet.String()) + "</code>"
		}
		fmt.Fprintf(w, "<tr class=\"hop-verdict\"><td>%s → %s</td><td class=\"verdict-cell %s\">%s</td><td>%s</td></tr>\n",
			esc(h.From), esc(h.To), esc(h.Verdict), verdict, packet)
	}
	fmt.Fprintln(w, "</tbody>")
	fmt.Fprintln(w, "</table>")
	fmt.Fprintln(w, "</section>")
}

func writeHTMLFindings(w io.Writer, r *sim.Report) {
	esc := html.EscapeString
	fmt.Fprintf(w, "<h2>Findings (%d)</h2>\n", len(r.Findings))
	if len(r.Findings) == 0 {
		fmt.Fprintln(w, `<p id="findings" class="empty">No findings: every stage holds for every attacker and every intended hop holds.</p>`)
		return
	}
	fmt.Fprintln(w, `<ol id="findings">`)
	for i, f := range r.Findings {
		fmt.Fprintf(w, "<li class=\"finding %s\" id=\"finding-%d\">\n", esc(string(f.Kind)), i+1)
		fmt.Fprintf(w, "<span class=\"kind\">%s</span>", esc(string(f.Kind)))
		if f.Code != string(f.Kind) {
			fmt.Fprintf(w, " <span class=\"code\">%s</span>", esc(f.Code))
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "<p class=\"message\">%s</p>\n", esc(f.Message))
		fmt.Fprintln(w, "<dl>")
		if f.Attacker != "" {
			fmt.Fprintf(w, "<dt>attacker</dt><dd>%s</dd>\n", esc(f.Attacker))
		}
		if len(f.Path) > 0 {
			fmt.Fprintf(w, "<dt>path</dt><dd class=\"path\">%s</dd>\n", esc(strings.Join(f.Path, " → ")))
		}
		if f.Packet != nil {
			fmt.Fprintf(w, "<dt>packet</dt><dd class=\"packet\"><code>%s</code></dd>\n", esc(f.Packet.String()))
		}
		if f.Pos.IsValid() {
			fmt.Fprintf(w, "<dt>at</dt><dd><code>%s</code></dd>\n", esc(posString(f.Pos)))
		}
		if f.Classes > 1 {
			fmt.Fprintf(w, "<dt>packets</dt><dd>%d distinct packets arrive along this path</dd>\n", f.Classes)
		}
		fmt.Fprintln(w, "</dl>")
		if len(f.Why) > 0 {
			fmt.Fprintln(w, `<ul class="why">`)
			for _, sentence := range f.Why {
				fmt.Fprintf(w, "<li>%s</li>\n", esc(sentence))
			}
			fmt.Fprintln(w, "</ul>")
		}
		fmt.Fprintln(w, "</li>")
	}
	fmt.Fprintln(w, "</ol>")
}
