package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// graphGoldenScenarios are the scenarios whose diagrams are pinned: the
// reference architecture, with skip paths, and a design with a broken hop.
var graphGoldenScenarios = []string{
	"scenarios/nakama-dual-token.yaml",
	"scenarios/three-tier-broken-egress.yaml",
}

var graphFormatExtensions = map[string]string{"mermaid": "mmd", "dot": "dot", "html": "html"}

func TestGraphGoldenOutput(t *testing.T) {
	for _, file := range graphGoldenScenarios {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		for format, ext := range graphFormatExtensions {
			t.Run(name+"/"+format, func(t *testing.T) {
				stdout, stderr, status := run(t, "graph", "--format", format, file)
				if status != exitOK {
					t.Fatalf("graph exited %d, want 0; stderr: %s", status, stderr)
				}
				if stderr != "" {
					t.Errorf("stderr = %q, want nothing", stderr)
				}
				golden(t, "testdata/golden/graph/"+name+"."+ext, stdout)
			})
		}
	}
}

// Every shipped scenario, drawn three times in one process, gives the same
// bytes each time: nothing depends on map order.
func TestGraphDeterministic(t *testing.T) {
	for _, file := range shippedScenarios(t) {
		for format := range graphFormatExtensions {
			first, stderr, status := run(t, "graph", "--format", format, file)
			if status != exitOK {
				t.Fatalf("graph --format %s %s exited %d: %s", format, file, status, stderr)
			}
			for range 2 {
				if again, _, _ := run(t, "graph", "--format", format, file); again != first {
					t.Errorf("graph --format %s %s differs between runs", format, file)
					break
				}
			}
		}
	}
}

func TestGraphOutputFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		prefix string // the start of the file's content
	}{
		{"html by extension", []string{"-o", filepath.Join(dir, "report.html")}, "<!DOCTYPE html>"},
		{"dot by extension", []string{"-o", filepath.Join(dir, "graph.gv")}, "digraph "},
		{"mermaid by extension", []string{"-o", filepath.Join(dir, "graph.mmd")}, "%% sgchain graph"},
		{"unknown extension", []string{"-o", filepath.Join(dir, "graph.txt")}, "%% sgchain graph"},
		{"format flag wins", []string{"--format", "dot", "--output", filepath.Join(dir, "flag.html")}, "digraph "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"graph"}, tc.args...)
			stdout, stderr, status := run(t, append(args, "scenarios/nakama-dual-token.yaml")...)
			if status != exitOK {
				t.Fatalf("exit status = %d, want 0; stderr: %s", status, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing when writing to a file", stdout)
			}
			data, err := os.ReadFile(tc.args[len(tc.args)-1])
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), tc.prefix) {
				t.Errorf("file starts with %q, want %q", firstLine(string(data)), tc.prefix)
			}
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestGraphUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // a fragment of stderr
	}{
		{"no file", []string{"graph"}, "missing scenario file"},
		{"two files", []string{"graph", "scenarios/three-tier.yaml", "scenarios/nakama-dual-token.yaml"}, "expected one scenario file, got 2"},
		{"bad format", []string{"graph", "--format", "svg", "scenarios/three-tier.yaml"}, `invalid format "svg": expected one of mermaid, dot, html`},
		{"missing file", []string{"graph", "scenarios/no-such-file.yaml"}, "no-such-file.yaml"},
		{"invalid scenario", []string{"graph", "testdata/invalid/unknown-keys.yaml"}, "error:"},
		{"unwritable output", []string{"graph", "-o", "no-such-dir/graph.html", "scenarios/three-tier.yaml"}, "writing the diagram failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, status := run(t, tc.args...)
			if status != exitInvalid {
				t.Errorf("exit status = %d, want 2", status)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing on an error", stdout)
			}
		})
	}
}

// Secret origin custom header values must not appear in any diagram, in
// particular not in the packets the HTML page lists.
func TestGraphNeverPrintsSecrets(t *testing.T) {
	secrets := shippedSecrets(t)
	for _, file := range shippedScenarios(t) {
		for format := range graphFormatExtensions {
			stdout, stderr, _ := run(t, "graph", "--format", format, file)
			for s := range secrets {
				if strings.Contains(stdout, s) || strings.Contains(stderr, s) {
					t.Errorf("graph --format %s %s printed the secret value %q", format, file, s)
				}
			}
		}
	}
}

// shippedSecrets returns the values of the headers marked secret in the
// shipped scenarios.
func shippedSecrets(t *testing.T) map[string]bool {
	t.Helper()
	secrets := map[string]bool{}
	for _, file := range shippedScenarios(t) {
		s, diags := model.Load(filepath.Join(rootDir, file))
		if diags.HasErrors() {
			t.Fatalf("%s: %v", file, diags)
		}
		for _, tier := range s.Tiers {
			if tier.CloudFront == nil {
				continue
			}
			for _, o := range tier.CloudFront.Origins {
				for _, h := range o.CustomHeaders {
					if h.Secret {
						secrets[h.Value] = true
					}
				}
			}
		}
	}
	if len(secrets) == 0 {
		t.Fatal("found no secret header values in the shipped scenarios")
	}
	return secrets
}

func TestGraphIDs(t *testing.T) {
	tests := []struct {
		names []string
		want  []string
	}{
		{[]string{"internet", "internet/own-distribution"}, []string{"n_internet", "n_internet_own_distribution"}},
		{[]string{"admin.alb-v2", "end", "subgraph"}, []string{"n_admin_alb_v2", "n_end", "n_subgraph"}},
		// Names that differ only in punctuation stay distinct, in order.
		{[]string{"a.b", "a-b", "a_b", "a_b_2"}, []string{"n_a_b", "n_a_b_2", "n_a_b_3", "n_a_b_2_2"}},
		{[]string{"café", "x\"y<z>"}, []string{"n_caf_", "n_x_y_z_"}},
	}
	valid := regexp.MustCompile(`^n_[A-Za-z0-9_]+$`)
	for _, tc := range tests {
		got := graphIDs(tc.names)
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("graphIDs(%q) = %q, want %q", tc.names, got, tc.want)
		}
		for _, id := range got {
			if !valid.MatchString(id) {
				t.Errorf("graphIDs(%q) gave %q, which is not [A-Za-z0-9_] after n_", tc.names, id)
			}
		}
	}
}

// decodeMermaid undoes the numeric entity codes that mermaidText writes.
func decodeMermaid(t *testing.T, s string) string {
	t.Helper()
	return regexp.MustCompile(`#(\d+);`).ReplaceAllStringFunc(s, func(m string) string {
		n, err := strconv.Atoi(m[1 : len(m)-1])
		if err != nil {
			t.Fatal(err)
		}
		return string(rune(n))
	})
}

func TestMermaidTextEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"tcp 80, 443", "tcp 80, 443"},
		{`say "hi"`, "say #34;hi#34;"},
		{"#35; stays literal", "#35;35#59; stays literal"},
		{"<b>&amp;</b>", "#60;b#62;#38;amp#59;#60;/b#62;"},
		{"a|b;c`d", "a#124;b#59;c#96;d"},
		{"line\nbreak\ttab", "line break tab"},
		{"internet/own-distribution (a.b_c)", "internet/own-distribution (a.b_c)"},
	}
	for _, tc := range tests {
		got := mermaidText(tc.in)
		if got != tc.want {
			t.Errorf("mermaidText(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.ContainsAny(got, "\"<>&|`\n") {
			t.Errorf("mermaidText(%q) = %q still holds a character Mermaid reads as syntax", tc.in, got)
		}
		want := strings.NewReplacer("\n", " ", "\t", " ").Replace(tc.in)
		if back := decodeMermaid(t, got); back != want {
			t.Errorf("decoding mermaidText(%q) gives %q, want %q", tc.in, back, want)
		}
	}
}

func TestDOTQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"alb", `"alb"`},
		{`say "hi"`, `"say \"hi\""`},
		{`C:\N`, `"C:\\N"`},
		{"name\nkind", `"name\nkind"`},
		{"a\x00b", `"ab"`},
	}
	for _, tc := range tests {
		if got := dotQuote(tc.in); got != tc.want {
			t.Errorf("dotQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestSplitName(t *testing.T) {
	tests := []struct {
		name  string
		width int
		want  []string
	}{
		{"alb", 20, []string{"alb"}},
		{"exactly-twenty-chars", 20, []string{"exactly-twenty-chars"}},
		{"internet/own-distribution", 20, []string{"internet/own-", "distribution"}},
		{"breached-worker/own-distribution", 20, []string{"breached-worker/", "own-distribution"}},
		{"abcdefghijklmnopqrstuvwxyz", 20, []string{"abcdefghijklmnopqrst", "uvwxyz"}},
		{"a-very-long-name-that-goes-on-and-on-and-on", 10, []string{"a-very-", "long-name…"}},
	}
	for _, tc := range tests {
		got := splitName(tc.name, tc.width)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("splitName(%q, %d) = %q, want %q", tc.name, tc.width, got, tc.want)
		}
		for _, line := range got {
			if n := len([]rune(line)); n > tc.width {
				t.Errorf("splitName(%q, %d) gave a line of %d characters", tc.name, tc.width, n)
			}
		}
	}
}

// loadView builds the graph view of a scenario file relative to the
// repository root.
func loadView(t *testing.T, file string) *graphView {
	t.Helper()
	s, diags := model.Load(filepath.Join(rootDir, file))
	if diags.HasErrors() {
		t.Fatalf("%s: %v", file, diags)
	}
	d, err := sim.BuildDiagram(s)
	if err != nil {
		t.Fatal(err)
	}
	return newGraphView(s, d)
}

var (
	mermaidLinkLine  = regexp.MustCompile(`^    (n_\w+) (-->|-\.->)\|"([^"]*)"\| (n_\w+)$`)
	mermaidStyleLine = regexp.MustCompile(`^    linkStyle (\d+) (.+)$`)
)

// The linkStyle statements of every shipped scenario's Mermaid output
// number the link statements in emission order, one style per link, and
// give each link the style of its edge's class.
func TestMermaidLinkStyleIndexes(t *testing.T) {
	for _, file := range shippedScenarios(t) {
		t.Run(file, func(t *testing.T) {
			v := loadView(t, file)
			var b bytes.Buffer
			writeGraphMermaid(&b, v)

			var links [][]string
			styles := map[int]string{}
			for line := range strings.Lines(b.String()) {
				line = strings.TrimSuffix(line, "\n")
				if m := mermaidLinkLine.FindStringSubmatch(line); m != nil {
					links = append(links, m)
					continue
				}
				if strings.Contains(line, "--") || strings.Contains(line, "~~~") || strings.Contains(line, "==>") {
					t.Errorf("line %q looks like a link but is not one the test can count", line)
				}
				if m := mermaidStyleLine.FindStringSubmatch(line); m != nil {
					i, _ := strconv.Atoi(m[1])
					if _, dup := styles[i]; dup {
						t.Errorf("linkStyle %d appears twice", i)
					}
					styles[i] = m[2]
				}
			}
			if len(links) != len(v.edges) {
				t.Fatalf("%d link statements, want one per edge (%d)", len(links), len(v.edges))
			}
			if len(styles) != len(links) {
				t.Errorf("%d linkStyle statements for %d links", len(styles), len(links))
			}
			for i, e := range v.edges {
				m := links[i]
				if m[1] != v.nodes[e.from].id || m[4] != v.nodes[e.to].id {
					t.Errorf("link %d joins %s and %s, want edge %s -> %s", i, m[1], m[4], e.From, e.To)
				}
				if got := decodeMermaid(t, m[3]); got != e.label {
					t.Errorf("link %d label = %q, want %q", i, got, e.label)
				}
				s := styleOf(e.class)
				if want := mermaidLinkStyle(s); styles[i] != want {
					t.Errorf("linkStyle %d = %q, want %q for a %s edge", i, styles[i], want, e.class)
				}
				if dotted := m[2] == "-.->"; dotted != s.dashed {
					t.Errorf("link %d uses %s for a %s edge", i, m[2], e.class)
				}
			}
		})
	}
}

// The edge styles distinguish the cases the diagram exists to show: the
// reference architecture's skip paths and the broken hop of the broken
// egress design.
func TestGraphEdgeClasses(t *testing.T) {
	classes := func(file string) map[string]string {
		out := map[string]string{}
		for _, e := range loadView(t, file).edges {
			out[e.From+" -> "+e.To+": "+e.label] = e.classes()
		}
		return out
	}
	want := map[string]map[string]string{
		"scenarios/nakama-dual-token.yaml": {
			"internet -> internet/own-distribution: tcp 443": "skip",
			"internet -> edge: tcp 80, 443":                  "flow",
			"internet/own-distribution -> nlb: tcp 7350":     "skip",
			"edge -> alb: tcp 443":                           "intended",
			"edge -> nlb: tcp 7350":                          "intended",
			"alb -> ecs: tcp 7350":                           "intended",
			"nlb -> ecs: tcp 7350":                           "skip intended",
		},
		"scenarios/three-tier-broken-egress.yaml": {
			// The attacker's own distribution leads nowhere here, so the
			// diagram leaves it out.
			"internet -> edge: tcp 80, 443": "flow",
			"edge -> alb: tcp 443":          "intended",
			"alb -> app: tcp 8080 (broken)": "broken",
			"app -> db: tcp 5432":           "intended",
		},
	}
	for file, edges := range want {
		got := classes(file)
		for edge, class := range edges {
			if got[edge] != class {
				t.Errorf("%s: edge %q has classes %q, want %q", file, edge, got[edge], class)
			}
		}
		if len(got) != len(edges) {
			t.Errorf("%s: %d edges, want %d: %v", file, len(got), len(edges), got)
		}
	}
}

// The computed layout of every shipped scenario keeps columns in chain
// order and aligned, and no label covers a node or another label.
func TestGraphLayout(t *testing.T) {
	for _, file := range shippedScenarios(t) {
		t.Run(file, func(t *testing.T) {
			v := loadView(t, file)
			l := layoutGraph(v)
			for c := 1; c < len(l.columns); c++ {
				if prev := l.columns[c-1]; l.columns[c].x <= prev.x+prev.w {
					t.Errorf("column %s starts at %.1f, inside column %s", v.columns[c].key, l.columns[c].x, v.columns[c-1].key)
				}
			}
			for i, n := range v.nodes {
				b := l.nodes[i]
				if col := l.columns[n.column]; b.x != col.x || b.w != col.w {
					t.Errorf("node %s spans x %.1f+%.1f, want its column's %.1f+%.1f", n.Name, b.x, b.w, col.x, col.w)
				}
				if b.x < 0 || b.y < l.rowTop || b.x+b.w > l.width || b.y+b.h > l.height {
					t.Errorf("node %s at %+v lies outside the canvas %.1f x %.1f", n.Name, b.svgRect, l.width, l.height)
				}
				for j := range i {
					if b.overlap(l.nodes[j].svgRect) > 0 {
						t.Errorf("nodes %s and %s overlap", n.Name, v.nodes[j].Name)
					}
				}
			}
			// The stage columns come in chain order, after the attackers.
			last := -1
			for c, col := range v.columns {
				if col.stage > 0 {
					if col.stage <= last {
						t.Errorf("column %s comes after stage %d", col.key, last)
					}
					last = col.stage
				} else if col.key == "attackers" && c != 0 {
					t.Errorf("the attackers are in column %d, want 0", c)
				}
			}
			for i, e := range v.edges {
				r := l.edges[i].label
				if r.y < l.rowTop-labelHeight || r.y+r.h > l.height {
					t.Errorf("label %q of %s -> %s lies outside the canvas", e.label, e.From, e.To)
				}
				for j := range l.nodes {
					if r.overlap(l.nodes[j].svgRect) > 0 {
						t.Errorf("label %q of %s -> %s covers node %s", e.label, e.From, e.To, v.nodes[j].Name)
					}
				}
				for j := range i {
					if r.overlap(l.edges[j].label) > 0 {
						t.Errorf("labels of %s -> %s and %s -> %s overlap", e.From, e.To, v.edges[j].From, v.edges[j].To)
					}
				}
			}
		})
	}
}

// Scenario text reaches the HTML page only escaped, and the page is one
// file: no script, and no reference to anything outside it.
func TestGraphHTMLEscapesAndStandsAlone(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(rootDir, "scenarios", "three-tier.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	hostile := `<script>alert("x")</script> & <img src=x onerror=alert(1)>`
	text := regexp.MustCompile(`(?s)description: >-\n.*?\n\n`).ReplaceAllString(string(data), "description: '"+hostile+"'\n\n")
	if text == string(data) {
		t.Fatal("three-tier.yaml has no folded description to replace")
	}
	file := filepath.Join(t.TempDir(), "hostile.yaml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, status := run(t, "graph", "--format", "html", file)
	if status != exitOK {
		t.Fatalf("exit status = %d; stderr: %s", status, stderr)
	}
	if !strings.Contains(stdout, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the page does not show the description escaped")
	}

	for _, bad := range []string{"<script", "<img", "<link", "<iframe", "@import", "url(http", "src=\"http", "href=\"http"} {
		if strings.Contains(stdout, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	// The only URL is the SVG namespace, which browsers never fetch.
	urls := regexp.MustCompile(`https?://[^"' <>]+`).FindAllString(stdout, -1)
	if len(urls) != 1 || urls[0] != "http://www.w3.org/2000/svg" {
		t.Errorf("the page refers to %q, want only the SVG namespace once", urls)
	}
}

// The DOT output of every shipped scenario is valid for Graphviz. The test
// needs the dot program (Debian package graphviz) and skips without it.
func TestGraphDOTRendersWithGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("Graphviz's dot is not on PATH; install the graphviz package to run this test")
	}
	for _, file := range shippedScenarios(t) {
		stdout, stderr, status := run(t, "graph", "--format", "dot", file)
		if status != exitOK {
			t.Fatalf("graph --format dot %s exited %d: %s", file, status, stderr)
		}
		cmd := exec.Command(dot, "-Tsvg")
		cmd.Stdin = strings.NewReader(stdout)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Errorf("dot -Tsvg on the graph of %s failed: %v\n%s", file, err, errOut.String())
			continue
		}
		if errOut.Len() > 0 {
			t.Errorf("dot -Tsvg on the graph of %s warned: %s", file, errOut.String())
		}
		if !strings.Contains(out.String(), "<svg") {
			t.Errorf("dot -Tsvg on the graph of %s printed no SVG", file)
		}
	}
}
