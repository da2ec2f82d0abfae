package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

const graphUsage = `Usage: sgchain graph [flags] FILE

Draw a scenario as a diagram. Attackers stand on the left, followed by the
CloudFront distributions they own, then one column per chain stage in chain
order, and a last column for tiers outside the chain. Edges are the flows
the attackers' packets take, labeled with protocol and ports:

  red, solid    on the path of a skip finding
  red, dashed   an intended hop that is broken
  green         an intended hop that holds
  grey          any other flow

Formats:
  mermaid  a flowchart to paste into a Markdown code block marked mermaid
  dot      a Graphviz digraph, for example for "dot -Tsvg -o graph.svg"
  html     one self-contained page: the diagram as SVG beside the findings,
           the stage and hop verdicts and a legend. It loads nothing from
           the network and runs no script.

Without --format the format follows the extension of --output (.mmd, .dot
or .gv, .html or .htm), and is mermaid otherwise.

Exit status: 0 when the diagram was written, 2 for invalid input or usage.

Flags:
`

// graphFormatByExtension maps an --output extension to the format it implies.
var graphFormatByExtension = map[string]string{
	".mmd":  "mermaid",
	".dot":  "dot",
	".gv":   "dot",
	".html": "html",
	".htm":  "html",
}

func runGraph(args []string, env *environment) int {
	fs := pflag.NewFlagSet("graph", pflag.ContinueOnError)
	format := &formatValue{value: "mermaid", allowed: []string{"mermaid", "dot", "html"}}
	fs.Var(format, "format", "output format: mermaid, dot or html")
	output := fs.StringP("output", "o", "", "write the diagram to this file instead of standard output")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), graphUsage)
		fs.PrintDefaults()
	}
	if ok, status := parseFlags(fs, args, env); !ok {
		return status
	}
	switch {
	case fs.NArg() == 0:
		fmt.Fprintln(env.stderr, "sgchain graph: missing scenario file; usage: sgchain graph [flags] FILE")
		return exitInvalid
	case fs.NArg() > 1:
		fmt.Fprintf(env.stderr, "sgchain graph: expected one scenario file, got %d; draw each file with its own command\n", fs.NArg())
		return exitInvalid
	}
	if !fs.Changed("format") && *output != "" {
		if f, ok := graphFormatByExtension[strings.ToLower(filepath.Ext(*output))]; ok {
			format.value = f
		}
	}

	scenarios, ok := loadAll(fs.Args(), env)
	if !ok {
		return exitInvalid
	}
	s := scenarios[0]
	d, err := sim.BuildDiagram(s)
	if err != nil {
		fmt.Fprintf(env.stderr, "%s: error: %v\n", s.File, err)
		return exitInvalid
	}
	v := newGraphView(s, d)

	var b bytes.Buffer
	switch format.value {
	case "dot":
		writeGraphDOT(&b, v)
	case "html":
		writeGraphHTML(&b, v)
	default:
		writeGraphMermaid(&b, v)
	}

	if *output == "" {
		if _, err := env.stdout.Write(b.Bytes()); err != nil {
			fmt.Fprintf(env.stderr, "sgchain graph: writing standard output failed: %v\n", err)
			return exitInvalid
		}
		return exitOK
	}
	if err := os.WriteFile(*output, b.Bytes(), 0o644); err != nil {
		fmt.Fprintf(env.stderr, "sgchain graph: writing the diagram failed: %v\n", err)
		return exitInvalid
	}
	return exitOK
}

// graphView is the input of every diagram format: the diagram's nodes
// placed in columns, and its edges with their labels and styles.
type graphView struct {
	scenario *model.Scenario
	diagram  *sim.Diagram
	columns  []graphColumn
	nodes    []graphNode
	edges    []graphEdge
}

// graphColumn is one column of the layout, drawn left to right.
type graphColumn struct {
	// key identifies the column in ids: "attackers", "distributions",
	// "stage1", "stage2", ... or "outside".
	key   string
	title string
	// stage is the 1-based chain stage, or 0 for other columns.
	stage int
	// verdict is sim.Skippable when some attacker can skip the stage,
	// sim.Holds when none can, and empty for the first stage and for
	// columns that are not stages, which have no verdict.
	verdict string
	// nodes are indexes into graphView.nodes, top to bottom.
	nodes []int
}

// graphNode is one diagram node with its place in the layout.
type graphNode struct {
	sim.DiagramNode
	// id is unique within the view and uses only [A-Za-z0-9_].
	id string
	// detail is the second line of the node's label, such as the tier kind.
	detail string
	column int
	// exposed reports whether a skip finding reaches this tier.
	exposed bool
}

// edgeClass is the style of an edge, in order of precedence.
type edgeClass string

const (
	edgeBroken   edgeClass = "broken"
	edgeSkip     edgeClass = "skip"
	edgeIntended edgeClass = "intended"
	edgeFlow     edgeClass = "flow"
)

// graphEdge is one diagram edge with its endpoints and label.
type graphEdge struct {
	sim.DiagramEdge
	from, to int // indexes into graphView.nodes
	label    string
	class    edgeClass
}

// classes returns the edge's class followed by the other flags it carries,
// such as "skip intended" for a hop that holds but lies on a skip path.
func (e *graphEdge) classes() string {
	out := []string{string(e.class)}
	if e.Skip && e.class != edgeSkip {
		out = append(out, string(edgeSkip))
	}
	if e.Intended && e.class != edgeIntended && e.class != edgeBroken {
		out = append(out, string(edgeIntended))
	}
	return strings.Join(out, " ")
}

// edgeStyle is the stroke of one edge class, the same in every format, with
// the class's legend text.
type edgeStyle struct {
	color  string
	width  float64 // stroke width in pixels
	dashed bool
	// short names the class in the DOT legend, and legend explains it in
	// the HTML legend.
	short, legend string
}

// edgeStyles maps each class to its style, in the order the legend lists them.
var edgeStyles = []struct {
	class edgeClass
	style edgeStyle
}{
	{edgeSkip, edgeStyle{color: "#d62728", width: 3, short: "skip path", legend: "on the path of a skip finding: an attacker reaches a stage without passing the stages before it"}},
	{edgeBroken, edgeStyle{color: "#d62728", width: 2, dashed: true, short: "broken intended hop", legend: "intended hop that is broken: the traffic the design depends on does not pass"}},
	{edgeIntended, edgeStyle{color: "#2e7d32", width: 2, short: "intended hop that holds", legend: "intended hop that holds"}},
	{edgeFlow, edgeStyle{color: "#6b7280", width: 1.5, short: "other flow", legend: "other flow that an attacker's packets take"}},
}

func styleOf(c edgeClass) edgeStyle {
	for _, s := range edgeStyles {
		if s.class == c {
			return s.style
		}
	}
	return edgeStyles[len(edgeStyles)-1].style
}

// nodeClass is the style of a node.
func (n *graphNode) class() string {
	switch {
	case n.Role == sim.RoleAttacker:
		return "attacker"
	case n.Role == sim.RoleDistribution:
		return "distribution"
	case n.exposed:
		return "exposed"
	case n.Stage < 0:
		return "outside"
	}
	return "tier"
}

// nodeLegend describes each node class, in the order the legend lists them.
var nodeLegend = []struct{ class, text string }{
	{"attacker", "attacker, where packets start"},
	{"distribution", "CloudFront distribution that the attacker owns"},
	{"tier", "tier of a chain stage"},
	{"exposed", "tier that a skip finding reaches"},
	{"outside", "tier outside the chain"},
}

// newGraphView places the diagram's nodes in columns and labels its edges.
func newGraphView(s *model.Scenario, d *sim.Diagram) *graphView {
	v := &graphView{scenario: s, diagram: d}

	exposed := map[string]bool{}
	for _, f := range d.Report.Findings {
		if f.Kind == sim.KindSkip {
			exposed[f.Tier] = true
		}
	}
	attackers := map[string]*model.Attacker{}
	for _, a := range s.Attackers {
		attackers[a.Name] = a
	}

	column := map[string]int{}
	add := func(key, title string, stage int) int {
		if i, ok := column[key]; ok {
			return i
		}
		column[key] = len(v.columns)
		v.columns = append(v.columns, graphColumn{key: key, title: title, stage: stage})
		return len(v.columns) - 1
	}
	// Create the columns in layout order, so that a stage without tiers in
	// the diagram still keeps its place.
	add("attackers", "attackers", 0)
	for _, n := range d.Nodes {
		if n.Role == sim.RoleDistribution {
			add("distributions", "attacker distributions", 0)
			break
		}
	}
	for i := range s.Chain {
		add(fmt.Sprintf("stage%d", i+1), fmt.Sprintf("stage %d", i+1), i+1)
	}

	names := make([]string, len(d.Nodes))
	for i, n := range d.Nodes {
		names[i] = n.Name
	}
	ids := graphIDs(names)
	index := map[string]int{}
	for i, n := range d.Nodes {
		var c int
		switch {
		case n.Role == sim.RoleAttacker:
			c = column["attackers"]
		case n.Role == sim.RoleDistribution:
			c = column["distributions"]
		case n.Stage > 0:
			c = add(fmt.Sprintf("stage%d", n.Stage), fmt.Sprintf("stage %d", n.Stage), n.Stage)
		default:
			c = add("outside", "outside the chain", 0)
		}
		gn := graphNode{DiagramNode: n, id: ids[i], column: c, exposed: n.Role == sim.RoleTier && exposed[n.Name]}
		gn.detail = nodeDetail(n, attackers[n.Name])
		index[n.Name] = len(v.nodes)
		v.columns[c].nodes = append(v.columns[c].nodes, len(v.nodes))
		v.nodes = append(v.nodes, gn)
	}

	for i := range v.columns {
		v.columns[i].verdict = stageVerdict(d.Report, v.columns[i].stage)
	}

	for _, e := range d.Edges {
		from, ok1 := index[e.From]
		to, ok2 := index[e.To]
		if !ok1 || !ok2 {
			// BuildDiagram leaves out nodes that lead nowhere, such as an
			// attacker's own distribution when no tier is internet-facing,
			// but keeps the edges into them.
			continue
		}
		ge := graphEdge{DiagramEdge: e, from: from, to: to, label: edgeLabel(e, d.Report.Hops)}
		switch {
		case e.Broken:
			ge.class = edgeBroken
		case e.Skip:
			ge.class = edgeSkip
		case e.Intended:
			ge.class = edgeIntended
		default:
			ge.class = edgeFlow
		}
		v.edges = append(v.edges, ge)
	}
	return v
}

// stageVerdict combines the verdicts of every attacker for one stage:
// skippable when any attacker can skip it. Stage 1 and columns that are not
// stages have no verdict.
func stageVerdict(r *sim.Report, stage int) string {
	verdict := ""
	for _, st := range r.Stages {
		if st.Stage != stage {
			continue
		}
		if st.Verdict == sim.Skippable {
			return sim.Skippable
		}
		verdict = sim.Holds
	}
	return verdict
}

// tierKindNames are the AWS product names of the tier kinds.
var tierKindNames = map[model.Kind]string{
	model.KindCloudFront:  "CloudFront",
	model.KindALB:         "ALB",
	model.KindNLB:         "NLB",
	model.KindECS:         "ECS",
	model.KindEC2:         "EC2",
	model.KindEKS:         "EKS",
	model.KindLambda:      "Lambda",
	model.KindRDS:         "RDS",
	model.KindElastiCache: "ElastiCache",

	model.KindInterfaceEndpoint: "interface endpoint",
	model.KindAWSService:        "AWS service",
}

// nodeDetail returns the second line of a node's label: the tier kind, or
// what kind of attacker the node is. a is nil for nodes that are not
// attackers.
func nodeDetail(n sim.DiagramNode, a *model.Attacker) string {
	switch n.Role {
	case sim.RoleDistribution:
		return "own CloudFront"
	case sim.RoleAttacker:
		switch {
		case a == nil:
			return "attacker"
		case a.Kind == model.AttackerCompromised && a.Tier != nil:
			return "compromised " + a.Tier.Name
		case a.Kind == model.AttackerDistribution:
			return "CloudFront attacker"
		case a.Kind == model.AttackerAddressRange:
			return "address range"
		}
		return string(a.Kind) + " attacker"
	}
	if name, ok := tierKindNames[n.Kind]; ok {
		return name
	}
	return string(n.Kind)
}

// edgeLabel renders an edge's protocol and ports, such as "tcp 80, 443". An
// intended hop that no attacker flow takes has no ports of its own, so its
// label shows the port of the intended packet its verdict was decided on.
func edgeLabel(e sim.DiagramEdge, hops []sim.HopVerdict) string {
	if e.Protocol == model.AllProtocols {
		return "all traffic" + brokenSuffix(e)
	}
	ports := e.Ports
	if len(ports) == 0 {
		for _, h := range hops {
			if h.From == e.From && h.To == e.To && h.Packet != nil && h.Packet.Protocol == e.Protocol {
				ports = []model.PortRange{{From: h.Packet.Port, To: h.Packet.Port}}
				break
			}
		}
	}
	label := e.Protocol.String()
	if e.Protocol.HasPorts() && len(ports) > 0 {
		label += " " + portsString(e.Protocol, ports)
	}
	return label + brokenSuffix(e)
}

func brokenSuffix(e sim.DiagramEdge) string {
	if e.Broken {
		return " (broken)"
	}
	return ""
}

// graphIDs returns an identifier for each name that uses only ASCII letters,
// digits and underscores and starts with "n_", so that it is valid in
// Mermaid, DOT and HTML and never a Mermaid keyword such as "end". Every
// other character becomes "_". Names that map to the same identifier get
// "_2", "_3", ... in the order given, so the result is unique and stable.
func graphIDs(names []string) []string {
	used := map[string]bool{}
	out := make([]string, len(names))
	for i, name := range names {
		var b strings.Builder
		b.WriteString("n_")
		for _, r := range name {
			if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
		id := b.String()
		for k := 2; used[id]; k++ {
			id = fmt.Sprintf("%s_%d", b.String(), k)
		}
		used[id] = true
		out[i] = id
	}
	return out
}
