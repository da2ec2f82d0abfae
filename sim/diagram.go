package sim

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Diagram is the data a diagram of a scenario draws: its nodes in chain
// order, the flows the attackers' packets take between them, and the
// check's findings.
type Diagram struct {
	Scenario string
	Nodes    []DiagramNode
	Edges    []DiagramEdge
	Report   *Report
}

// NodeRole tells attackers, attacker-owned distributions and tiers apart.
type NodeRole string

// Node roles.
const (
	RoleAttacker     NodeRole = "attacker"
	RoleDistribution NodeRole = "distribution"
	RoleTier         NodeRole = "tier"
)

// DiagramNode is one node of a diagram.
type DiagramNode struct {
	Name string
	Role NodeRole
	Kind model.Kind // for tiers
	// Stage is the 1-based chain stage of a tier, 0 for attackers and their
	// distributions, and -1 for a tier outside the chain.
	Stage int
}

// DiagramEdge is a flow between two nodes for one protocol.
type DiagramEdge struct {
	From, To string
	Protocol model.Protocol
	// Ports are the ports at the receiving node, merged into ranges.
	Ports []model.PortRange
	// Skip reports whether the edge lies on the path of a skip finding.
	Skip bool
	// Intended reports whether the edge is a hop the scenario's forwarding
	// declares.
	Intended bool
	// Broken reports whether the edge is an intended hop that is broken.
	// A broken hop carries no attacker flow, so its Ports may be empty.
	Broken bool
}

// BuildDiagram checks the scenario and gathers what a diagram draws.
func BuildDiagram(s *model.Scenario) (*Diagram, error) {
	n := Compile(s)
	r, err := n.Check()
	if err != nil {
		return nil, err
	}
	d := &Diagram{Scenario: s.Name, Report: r}

	for _, a := range s.Attackers {
		d.Nodes = append(d.Nodes, DiagramNode{Name: a.Name, Role: RoleAttacker})
		if a.Kind == model.AttackerDistribution || (a.Kind == model.AttackerInternet && a.OwnDistribution) {
			d.Nodes = append(d.Nodes, DiagramNode{Name: DistributionNode(a.Name), Role: RoleDistribution})
		}
	}
	for _, t := range n.ordered {
		stage := t.stage
		if stage == 0 {
			stage = -1
		}
		d.Nodes = append(d.Nodes, DiagramNode{Name: t.Name, Role: RoleTier, Kind: t.Kind, Stage: stage})
	}

	type key struct {
		from, to string
		proto    model.Protocol
	}
	edges := map[key]*DiagramEdge{}
	var order []key
	edge := func(k key) *DiagramEdge {
		e, ok := edges[k]
		if !ok {
			e = &DiagramEdge{From: k.from, To: k.to, Protocol: k.proto}
			edges[k] = e
			order = append(order, k)
		}
		return e
	}

	for _, a := range s.Attackers {
		x := n.explore(a)
		if x.err != nil {
			return nil, x.err
		}
		for ids, hop := range x.graph.edges {
			to := x.states[ids[1]]
			if to.tier == nil {
				// The attacker's request to its own distribution.
				e := edge(key{x.states[ids[0]].node, to.node, hop.Packet.Protocol})
				e.Ports = append(e.Ports, model.PortRange{From: hop.Packet.Port, To: hop.Packet.Port})
				continue
			}
			if !to.class.set {
				continue
			}
			e := edge(key{x.states[ids[0]].node, to.node, hop.Packet.Protocol})
			e.Ports = append(e.Ports, to.class.ports)
		}
	}
	for _, f := range r.Findings {
		if f.Kind != KindSkip {
			continue
		}
		for i := 1; i < len(f.Path); i++ {
			for k, e := range edges {
				if k.from == f.Path[i-1] && k.to == f.Path[i] {
					e.Skip = true
				}
			}
		}
	}
	for _, h := range r.Hops {
		proto := model.TCP
		if h.Packet != nil {
			proto = h.Packet.Protocol
		}
		e := edge(key{h.From, h.To, proto})
		e.Intended = true
		e.Broken = h.Verdict == Broken
	}

	for _, k := range order {
		e := edges[k]
		e.Ports = mergePorts(e.Ports)
		d.Edges = append(d.Edges, *e)
	}
	// An attacker's own distribution that leads nowhere, because no tier
	// is internet-facing, is left out.
	d.Nodes = slices.DeleteFunc(d.Nodes, func(nd DiagramNode) bool {
		return nd.Role == RoleDistribution && !slices.ContainsFunc(d.Edges, func(e DiagramEdge) bool { return e.From == nd.Name })
	})
	d.Edges = slices.DeleteFunc(d.Edges, func(e DiagramEdge) bool {
		return !slices.ContainsFunc(d.Nodes, func(nd DiagramNode) bool { return nd.Name == e.To })
	})
	rank := map[string]int{}
	for i, nd := range d.Nodes {
		rank[nd.Name] = i
	}
	slices.SortStableFunc(d.Edges, func(a, b DiagramEdge) int {
		return cmp.Or(cmp.Compare(rank[a.From], rank[b.From]), cmp.Compare(rank[a.To], rank[b.To]),
			cmp.Compare(a.Protocol, b.Protocol), strings.Compare(a.From, b.From))
	})
	return d, nil
}
