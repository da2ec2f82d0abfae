package main

import (
	"cmp"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sgchain/sgchain/sim"
)

// Layout sizes, in SVG user units (CSS pixels at scale 1). Text widths are
// estimated from character counts, because sgchain cannot measure fonts.
// The per-character widths are generous for DejaVu Sans and Liberation
// Sans, the fonts that the style sheets name first.
const (
	svgMargin       = 20.0
	svgHeaderHeight = 44.0 // the column titles above the first row
	rowPitch        = 100.0
	nodeMinWidth    = 104.0
	nodeMaxWidth    = 196.0
	nodePaddingX    = 12.0
	nodeLineHeight  = 16.0
	nodeDetailGap   = 15.0
	nodePaddingY    = 10.0
	nameCharWidth   = 8.4 // bold sans-serif at 13px
	titleCharWidth  = 7.6 // bold sans-serif at 12px
	detailCharWidth = 6.6 // sans-serif at 11px
	labelCharWidth  = 6.7 // monospace at 11px
	labelHeight     = 17.0
	labelPaddingX   = 5.0
	minColumnGap    = 72.0
	labelGapMargin  = 36.0 // room beside an edge label inside a column gap
	laneClearance   = 16.0 // between a lane and the nodes it passes
	laneSpacing     = 22.0 // between two lanes that share columns
	portSpacing     = 10.0 // between edge ends on one side of a node
	arrowInset      = 3.0  // the path stops short of a node by this much
	// minDiagramScale is how far the page may shrink the drawing to keep
	// the findings beside it. At 0.85 the smallest text, 11px, stays above
	// 9px.
	minDiagramScale = 0.85
)

// nameLineChars is how many characters of a node's name fit on one line of
// a node of the maximum width.
var nameLineChars = int(math.Floor((nodeMaxWidth - 2*nodePaddingX) / nameCharWidth))

// svgPoint is a point in layout coordinates.
type svgPoint struct{ x, y float64 }

// svgSegment is a straight line (c1 and c2 unused) or a cubic Bézier curve
// from p0 to p3.
type svgSegment struct {
	p0, c1, c2, p3 svgPoint
	line           bool
}

func (s svgSegment) at(t float64) svgPoint {
	if s.line {
		return svgPoint{s.p0.x + (s.p3.x-s.p0.x)*t, s.p0.y + (s.p3.y-s.p0.y)*t}
	}
	u := 1 - t
	a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return svgPoint{
		a*s.p0.x + b*s.c1.x + c*s.c2.x + d*s.p3.x,
		a*s.p0.y + b*s.c1.y + c*s.c2.y + d*s.p3.y,
	}
}

// svgRect is an axis-aligned box; x and y are its top left corner.
type svgRect struct{ x, y, w, h float64 }

func (r svgRect) overlap(o svgRect) float64 {
	dx := math.Min(r.x+r.w, o.x+o.w) - math.Max(r.x, o.x)
	dy := math.Min(r.y+r.h, o.y+o.h) - math.Max(r.y, o.y)
	if dx <= 0 || dy <= 0 {
		return 0
	}
	return dx * dy
}

func (r svgRect) grow(d float64) svgRect { return svgRect{r.x - d, r.y - d, r.w + 2*d, r.h + 2*d} }

// svgNodeBox is a node's box and the lines of its name.
type svgNodeBox struct {
	svgRect
	lines []string
}

func (b svgNodeBox) center() svgPoint { return svgPoint{b.x + b.w/2, b.y + b.h/2} }

// svgEdgePath is an edge's route and the box of its label.
type svgEdgePath struct {
	segments []svgSegment
	label    svgRect
}

// svgColumnBox is a column's horizontal extent.
type svgColumnBox struct{ x, w float64 }

// svgLayout is the geometry of a whole diagram.
type svgLayout struct {
	width, height float64
	// rowTop is the y of the top of the row area, below the column titles.
	rowTop  float64
	columns []svgColumnBox
	nodes   []svgNodeBox
	edges   []svgEdgePath
}

// routeKind is the shape of an edge's route.
type routeKind int

const (
	// routeAdjacent joins two neighboring columns with one S-shaped curve.
	routeAdjacent routeKind = iota
	// routeLane crosses one or more columns on a horizontal lane that runs
	// between their nodes, so that the edge passes under no node.
	routeLane
	// routeBack leaves the bottom of its source and enters the bottom of a
	// node in the same or an earlier column, on a lane below every node.
	routeBack
)

// edgeRoute is an edge's route while the layout is being computed.
type edgeRoute struct {
	kind   routeKind
	laneY  float64
	startY float64 // port offsets from the node centers
	endY   float64
	startX float64 // port offsets along a node's bottom, for routeBack
	endX   float64
}

// layoutGraph places every column, node, edge and label of the view. Rows
// are laid out from y = 0 and shifted down at the end, so that a lane above
// the first row still fits below the column titles.
func layoutGraph(v *graphView) *svgLayout {
	l := &svgLayout{nodes: make([]svgNodeBox, len(v.nodes)), edges: make([]svgEdgePath, len(v.edges))}

	// Node sizes, and column widths from them and from the titles.
	widths := make([]float64, len(v.columns))
	for c, col := range v.columns {
		// A title may reach into the gaps beside its column.
		widths[c] = math.Max(nodeMinWidth, float64(len([]rune(col.title)))*titleCharWidth-minColumnGap/2)
		for _, i := range col.nodes {
			n := &v.nodes[i]
			lines := splitName(n.Name, nameLineChars)
			longest := float64(len([]rune(n.detail))) * detailCharWidth
			for _, line := range lines {
				longest = math.Max(longest, float64(len([]rune(line)))*nameCharWidth)
			}
			h := 2*nodePaddingY + float64(len(lines))*nodeLineHeight + nodeDetailGap
			l.nodes[i] = svgNodeBox{svgRect: svgRect{w: longest + 2*nodePaddingX, h: h}, lines: lines}
			widths[c] = math.Max(widths[c], l.nodes[i].w)
		}
		widths[c] = math.Min(widths[c], nodeMaxWidth)
	}

	// Column gaps wide enough for the labels of the edges between
	// neighboring columns.
	gaps := make([]float64, len(v.columns))
	for i := range gaps {
		gaps[i] = minColumnGap
	}
	for _, e := range v.edges {
		from, to := v.nodes[e.from].column, v.nodes[e.to].column
		if to == from+1 {
			gaps[from] = math.Max(gaps[from], labelWidth(e.label)+labelGapMargin)
		}
	}
	x := svgMargin
	l.columns = make([]svgColumnBox, len(v.columns))
	for c := range v.columns {
		l.columns[c] = svgColumnBox{x: x, w: widths[c]}
		x += widths[c] + gaps[c]
	}
	l.width = x - gaps[len(gaps)-1] + svgMargin

	// Rows: each column's nodes as wide as the column, evenly spaced and
	// centered on the tallest column.
	rows := 1
	for _, col := range v.columns {
		rows = max(rows, len(col.nodes))
	}
	for c, col := range v.columns {
		top := float64(rows-len(col.nodes)) * rowPitch / 2
		for r, i := range col.nodes {
			b := &l.nodes[i]
			b.x, b.w = l.columns[c].x, widths[c]
			b.y = top + (float64(r)+0.5)*rowPitch - b.h/2
		}
	}

	routes := routeEdges(v, l)
	assignPorts(v, l, routes)
	for i := range v.edges {
		l.edges[i].segments = edgeSegments(v, l, i, routes[i])
	}
	placeLabels(v, l)

	// Shift everything below the column titles and size the canvas.
	minY, maxY := 0.0, float64(rows)*rowPitch
	for _, b := range l.nodes {
		minY, maxY = math.Min(minY, b.y), math.Max(maxY, b.y+b.h)
	}
	for _, e := range l.edges {
		minY, maxY = math.Min(minY, e.label.y), math.Max(maxY, e.label.y+e.label.h)
		for _, s := range e.segments {
			minY, maxY = math.Min(minY, math.Min(s.p0.y, s.p3.y)), math.Max(maxY, math.Max(s.p0.y, s.p3.y))
		}
	}
	dy := svgMargin + svgHeaderHeight - minY + 8
	for i := range l.nodes {
		l.nodes[i].y += dy
	}
	for i := range l.edges {
		e := &l.edges[i]
		e.label.y += dy
		for j := range e.segments {
			s := &e.segments[j]
			s.p0.y += dy
			s.c1.y += dy
			s.c2.y += dy
			s.p3.y += dy
		}
	}
	l.rowTop = svgMargin + svgHeaderHeight
	l.height = maxY + dy + 8 + svgMargin
	return l
}

// labelWidth estimates the width of an edge label's box.
func labelWidth(label string) float64 {
	return float64(len([]rune(label)))*labelCharWidth + 2*labelPaddingX
}

// splitName breaks a node name into at most two lines of at most width
// characters. It breaks after the last "/" that leaves a first line of at
// least half the width, otherwise after the last ".", "_" or "-" that does,
// and otherwise at the width. What does not fit in two lines is cut and
// ends in "…"; the node's tooltip shows the full name.
func splitName(name string, width int) []string {
	runes := []rune(name)
	if len(runes) <= width {
		return []string{name}
	}
	cut := width
	for _, separators := range []string{"/", "._-"} {
		found := false
		for i := width; i >= (width+1)/2; i-- {
			if strings.ContainsRune(separators, runes[i-1]) {
				cut, found = i, true
				break
			}
		}
		if found {
			break
		}
	}
	first, rest := string(runes[:cut]), runes[cut:]
	if len(rest) > width {
		rest = append(rest[:width-1:width-1], '…')
	}
	return []string{first, string(rest)}
}

// routeEdges chooses each edge's route shape, and the lane of the edges
// that cross columns or go back. Lanes are chosen in edge order, and a lane
// keeps later lanes that cross the same columns at laneSpacing from it.
func routeEdges(v *graphView, l *svgLayout) []edgeRoute {
	routes := make([]edgeRoute, len(v.edges))
	type usedLane struct {
		first, last int // the columns the lane crosses
		y           float64
	}
	var lanes []usedLane
	bottom := 0.0
	for _, b := range l.nodes {
		bottom = math.Max(bottom, b.y+b.h)
	}
	backLanes := 0

	for i, e := range v.edges {
		from, to := v.nodes[e.from].column, v.nodes[e.to].column
		switch {
		case to == from+1:
			routes[i] = edgeRoute{kind: routeAdjacent}
		case to <= from:
			routes[i] = edgeRoute{kind: routeBack, laneY: bottom + 2*laneClearance + float64(backLanes)*laneSpacing}
			backLanes++
		default:
			first, last := from+1, to-1
			var blocked [][2]float64
			for c := first; c <= last; c++ {
				for _, n := range v.columns[c].nodes {
					b := l.nodes[n]
					blocked = append(blocked, [2]float64{b.y - laneClearance, b.y + b.h + laneClearance})
				}
			}
			for _, u := range lanes {
				if u.first <= last && first <= u.last {
					blocked = append(blocked, [2]float64{u.y - laneSpacing, u.y + laneSpacing})
				}
			}
			want := (l.nodes[e.from].center().y + l.nodes[e.to].center().y) / 2
			y := freeY(want, blocked)
			lanes = append(lanes, usedLane{first, last, y})
			routes[i] = edgeRoute{kind: routeLane, laneY: y}
		}
	}
	return routes
}

// freeY returns the y closest to want that lies in no blocked interval,
// preferring the upper one of two equally close.
func freeY(want float64, blocked [][2]float64) float64 {
	candidates := []float64{want}
	for _, b := range blocked {
		candidates = append(candidates, b[0], b[1])
	}
	slices.SortFunc(candidates, func(a, b float64) int {
		return cmp.Or(cmp.Compare(math.Abs(a-want), math.Abs(b-want)), cmp.Compare(a, b))
	})
	for _, y := range candidates {
		free := true
		for _, b := range blocked {
			if y > b[0]+1e-9 && y < b[1]-1e-9 {
				free = false
				break
			}
		}
		if free {
			return y
		}
	}
	return want
}

// assignPorts spreads the ends of the edges that meet one side of a node,
// ordered by where their other ends lie, so that they neither cross at the
// node nor overlap when two edges join the same pair of nodes.
func assignPorts(v *graphView, l *svgLayout, routes []edgeRoute) {
	type end struct {
		edge  int
		start bool    // the edge leaves the node here
		key   float64 // the position of the other end, for sorting
	}
	// Sides: 0 left, 1 right, 2 bottom.
	sides := make([][3][]end, len(v.nodes))
	for i, e := range v.edges {
		r := routes[i]
		fromC, toC := l.nodes[e.from].center(), l.nodes[e.to].center()
		switch r.kind {
		case routeAdjacent:
			sides[e.from][1] = append(sides[e.from][1], end{i, true, toC.y})
			sides[e.to][0] = append(sides[e.to][0], end{i, false, fromC.y})
		case routeLane:
			sides[e.from][1] = append(sides[e.from][1], end{i, true, r.laneY})
			sides[e.to][0] = append(sides[e.to][0], end{i, false, r.laneY})
		case routeBack:
			sides[e.from][2] = append(sides[e.from][2], end{i, true, toC.x})
			sides[e.to][2] = append(sides[e.to][2], end{i, false, fromC.x})
		}
	}
	for n := range sides {
		for side, ends := range sides[n] {
			slices.SortStableFunc(ends, func(a, b end) int {
				return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.edge, b.edge))
			})
			length := l.nodes[n].h
			if side == 2 {
				length = l.nodes[n].w
			}
			step := portSpacing
			if k := len(ends); k > 1 {
				step = math.Min(portSpacing, (length-12)/float64(k-1))
			}
			for j, en := range ends {
				offset := (float64(j) - float64(len(ends)-1)/2) * step
				r := &routes[en.edge]
				switch {
				case side == 2 && en.start:
					r.startX = offset
				case side == 2:
					r.endX = offset
				case en.start:
					r.startY = offset
				default:
					r.endY = offset
				}
			}
		}
	}
}

// edgeSegments builds the path of edge i along its route.
func edgeSegments(v *graphView, l *svgLayout, i int, r edgeRoute) []svgSegment {
	e := v.edges[i]
	src, dst := l.nodes[e.from], l.nodes[e.to]

	switch r.kind {
	case routeAdjacent:
		p0 := svgPoint{src.x + src.w, src.center().y + r.startY}
		p3 := svgPoint{dst.x - arrowInset, dst.center().y + r.endY}
		return []svgSegment{sCurve(p0, p3)}

	case routeLane:
		first, last := l.columns[v.nodes[e.from].column+1], l.columns[v.nodes[e.to].column-1]
		a := svgPoint{first.x - 8, r.laneY}
		b := svgPoint{last.x + last.w + 8, r.laneY}
		p0 := svgPoint{src.x + src.w, src.center().y + r.startY}
		p3 := svgPoint{dst.x - arrowInset, dst.center().y + r.endY}
		return []svgSegment{sCurve(p0, a), {p0: a, p3: b, line: true}, sCurve(b, p3)}
	}

	// routeBack: down from the source, along the lane, up into the target.
	p0 := svgPoint{src.center().x + r.startX, src.y + src.h}
	p3 := svgPoint{dst.center().x + r.endX, dst.y + dst.h + arrowInset}
	dir := 1.0
	if p3.x < p0.x {
		dir = -1
	}
	const radius = 14.0
	a := svgPoint{p0.x + dir*radius, r.laneY}
	b := svgPoint{p3.x - dir*radius, r.laneY}
	return []svgSegment{
		{p0: p0, c1: svgPoint{p0.x, r.laneY}, c2: svgPoint{p0.x, r.laneY}, p3: a},
		{p0: a, p3: b, line: true},
		{p0: b, c1: svgPoint{p3.x, r.laneY}, c2: svgPoint{p3.x, r.laneY}, p3: p3},
	}
}

// sCurve is a horizontal S-shaped curve from p0 to p3.
func sCurve(p0, p3 svgPoint) svgSegment {
	mid := (p0.x + p3.x) / 2
	return svgSegment{p0: p0, c1: svgPoint{mid, p0.y}, c2: svgPoint{mid, p3.y}, p3: p3}
}

// placeLabels puts each edge's label on its path: at the middle where that
// is free, otherwise at the first of a few points further along either way
// where the label covers no node and no earlier label. An S-curve carries
// its label on the curve, and a lane on its straight part.
func placeLabels(v *graphView, l *svgLayout) {
	var occupied []svgRect
	for _, b := range l.nodes {
		occupied = append(occupied, b.grow(3))
	}
	for i, e := range v.edges {
		segs := l.edges[i].segments
		seg := segs[0]
		if len(segs) == 3 {
			seg = segs[1]
		}
		w := labelWidth(e.label)
		best, bestOverlap := svgRect{}, math.Inf(1)
		for _, t := range []float64{0.5, 0.38, 0.62, 0.26, 0.74, 0.15, 0.85} {
			p := seg.at(t)
			r := svgRect{p.x - w/2, p.y - labelHeight/2, w, labelHeight}
			overlap := 0.0
			for _, o := range occupied {
				overlap += r.overlap(o)
			}
			if overlap < bestOverlap {
				best, bestOverlap = r, overlap
			}
			if overlap == 0 {
				break
			}
		}
		l.edges[i].label = best
		occupied = append(occupied, best.grow(2))
	}
}

// formatDecimal formats a coordinate or a width with at most one decimal.
func formatDecimal(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

func (s svgSegment) path(first bool) string {
	var b strings.Builder
	if first {
		fmt.Fprintf(&b, "M%s,%s ", formatDecimal(s.p0.x), formatDecimal(s.p0.y))
	}
	if s.line {
		fmt.Fprintf(&b, "L%s,%s", formatDecimal(s.p3.x), formatDecimal(s.p3.y))
	} else {
		fmt.Fprintf(&b, "C%s,%s %s,%s %s,%s", formatDecimal(s.c1.x), formatDecimal(s.c1.y), formatDecimal(s.c2.x), formatDecimal(s.c2.y),
			formatDecimal(s.p3.x), formatDecimal(s.p3.y))
	}
	return b.String()
}

// svgStyle is the SVG's own style sheet, so that the drawing keeps its look
// when it is copied out of the page.
const svgStyle = `
  .column-band { fill: #f5f6f8; stroke: #e1e4e8; }
  .column-title { font: 600 12px "DejaVu Sans", "Liberation Sans", Arial, sans-serif; fill: #24292f; }
  .column-verdict { font: 11px "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
  .column-verdict.holds { fill: #2e7d32; }
  .column-verdict.skippable { fill: #d62728; font-weight: 600; }
  .node rect { stroke-width: 1.5; }
  .node.attacker rect { fill: #fdecea; stroke: #b71c1c; }
  .node.distribution rect { fill: #fff4e5; stroke: #b71c1c; stroke-dasharray: 5 3; }
  .node.tier rect { fill: #e8f0fe; stroke: #1f4e8c; }
  .node.exposed rect { fill: #e8f0fe; stroke: #d62728; stroke-width: 3; }
  .node.outside rect { fill: #f1f1f1; stroke: #777777; }
  .node .name { font: 600 13px "DejaVu Sans", "Liberation Sans", Arial, sans-serif; fill: #1a1a1a; }
  .node .detail { font: 11px "DejaVu Sans", "Liberation Sans", Arial, sans-serif; fill: #555555; }
  .edge { fill: none; }
  .edge-label rect { fill: #ffffff; stroke-width: 1; }
  .edge-label text { font: 11px "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; }
`

// writeSVG draws the view as an SVG element with id "diagram". In a page the
// element fills the width it is given, from minDiagramScale of its natural
// size up to that size.
func writeSVG(w io.Writer, v *graphView) {
	l := layoutGraph(v)
	esc := html.EscapeString
	fmt.Fprintf(w, `<svg id="diagram" xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" style="width: 100%%; height: auto; max-width: %spx; min-width: %spx" role="img" aria-labelledby="diagram-title">`+"\n",
		formatDecimal(l.width), formatDecimal(l.height), formatDecimal(l.width), formatDecimal(l.height),
		formatDecimal(l.width), formatDecimal(math.Floor(l.width*minDiagramScale)))
	fmt.Fprintf(w, "<title id=\"diagram-title\">Flows of scenario %s</title>\n", esc(v.scenario.Name))
	fmt.Fprintf(w, "<style>%s</style>\n", svgStyle)

	fmt.Fprintln(w, "<defs>")
	for _, es := range edgeStyles {
		// The marker's tip lies arrowInset beyond the path's end, on the
		// node's border.
		fmt.Fprintf(w, `  <marker id="arrow-%s" viewBox="0 0 10 10" refX="%s" refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="%s"/></marker>`+"\n",
			es.class, formatDecimal(10-arrowInset), es.style.color)
	}
	fmt.Fprintln(w, "</defs>")

	fmt.Fprintln(w, `<g id="columns">`)
	for c, col := range v.columns {
		box := l.columns[c]
		fmt.Fprintf(w, `  <g class="column" id="column-%s">`+"\n", col.key)
		fmt.Fprintf(w, `    <rect class="column-band" x="%s" y="%s" width="%s" height="%s" rx="8"/>`+"\n",
			formatDecimal(box.x-10), formatDecimal(svgMargin), formatDecimal(box.w+20), formatDecimal(l.height-2*svgMargin))
		fmt.Fprintf(w, `    <text class="column-title" x="%s" y="%s" text-anchor="middle">%s</text>`+"\n",
			formatDecimal(box.x+box.w/2), formatDecimal(svgMargin+18), esc(col.title))
		if col.verdict != "" {
			fmt.Fprintf(w, `    <text class="column-verdict %s" x="%s" y="%s" text-anchor="middle">%s</text>`+"\n",
				col.verdict, formatDecimal(box.x+box.w/2), formatDecimal(svgMargin+34), esc(col.verdict))
		}
		fmt.Fprintln(w, "  </g>")
	}
	fmt.Fprintln(w, "</g>")

	fmt.Fprintln(w, `<g id="edges">`)
	for i, e := range v.edges {
		s := styleOf(e.class)
		var d []string
		for j, seg := range l.edges[i].segments {
			d = append(d, seg.path(j == 0))
		}
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="7 5"`
		}
		fmt.Fprintf(w, `  <path class="edge %s" id="edge-%d" data-from="%s" data-to="%s" d="%s" stroke="%s" stroke-width="%s"%s marker-end="url(#arrow-%s)"><title>%s</title></path>`+"\n",
			e.classes(), i, esc(e.From), esc(e.To), strings.Join(d, " "), s.color, formatDecimal(s.width), dash, e.class,
			esc(edgeTitle(e)))
	}
	fmt.Fprintln(w, "</g>")

	fmt.Fprintln(w, `<g id="nodes">`)
	for i := range v.nodes {
		writeSVGNode(w, &v.nodes[i], l.nodes[i])
	}
	fmt.Fprintln(w, "</g>")

	fmt.Fprintln(w, `<g id="edge-labels">`)
	for i, e := range v.edges {
		r := l.edges[i].label
		color := styleOf(e.class).color
		fmt.Fprintf(w, `  <g class="edge-label %s" id="edge-%d-label"><rect x="%s" y="%s" width="%s" height="%s" rx="3" stroke="%s"/><text x="%s" y="%s" text-anchor="middle" fill="%s">%s</text></g>`+"\n",
			e.class, i, formatDecimal(r.x), formatDecimal(r.y), formatDecimal(r.w), formatDecimal(r.h), color,
			formatDecimal(r.x+r.w/2), formatDecimal(r.y+r.h-5), color, esc(e.label))
	}
	fmt.Fprintln(w, "</g>")
	fmt.Fprintln(w, "</svg>")
}

func writeSVGNode(w io.Writer, n *graphNode, b svgNodeBox) {
	esc := html.EscapeString
	fmt.Fprintf(w, `  <g class="node %s" id="node-%s">`+"\n", nodeClasses(n), n.id)
	fmt.Fprintf(w, "    <title>%s</title>\n", esc(n.Name+" ("+n.detail+")"))
	rx := 6
	if n.Role == sim.RoleAttacker {
		rx = int(b.h / 2)
	}
	fmt.Fprintf(w, `    <rect x="%s" y="%s" width="%s" height="%s" rx="%d"/>`+"\n", formatDecimal(b.x), formatDecimal(b.y), formatDecimal(b.w), formatDecimal(b.h), rx)
	cx := formatDecimal(b.x + b.w/2)
	y := b.y + nodePaddingY + 12
	for _, line := range b.lines {
		fmt.Fprintf(w, `    <text class="name" x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", cx, formatDecimal(y), esc(line))
		y += nodeLineHeight
	}
	fmt.Fprintf(w, `    <text class="detail" x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", cx, formatDecimal(y+1), esc(n.detail))
	fmt.Fprintln(w, "  </g>")
}

// nodeClasses returns a node's role followed by its style class when the
// two differ, such as "tier exposed".
func nodeClasses(n *graphNode) string {
	role, class := string(n.Role), n.class()
	if role == class {
		return role
	}
	return role + " " + class
}

// edgeTitle is an edge's tooltip, such as "edge -> alb: tcp 443, intended
// hop that holds".
func edgeTitle(e graphEdge) string {
	description := map[edgeClass]string{
		edgeSkip:     "on a skip path",
		edgeBroken:   "intended hop, broken",
		edgeIntended: "intended hop, holds",
		edgeFlow:     "flow",
	}[e.class]
	if e.class == edgeSkip && e.Intended {
		description += ", intended hop"
	}
	return fmt.Sprintf("%s -> %s: %s, %s", e.From, e.To, e.label, description)
}
