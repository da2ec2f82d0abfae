package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Flow describes a set of packets a sender can put on the wire, and the tier
// they are meant to arrive at. Fields left at their zero value do not
// restrict the packets, except Ports, which tcp, udp, icmp and icmpv6 use.
type Flow struct {
	// From names an attacker of the scenario or, when FromTier is set or
	// no attacker has the name, a compute or data-store tier whose
	// compromised interface sends. Such a tier sends with its address and
	// security groups, and has no secret header value.
	From     string
	FromTier bool
	// To names the tier the packets must arrive at.
	To string
	// Protocol is the IP protocol, or model.AllProtocols for any protocol.
	Protocol model.Protocol
	// Ports is the destination port range for tcp and udp, and the
	// type*256+code range for icmp and icmpv6. Other protocols ignore it.
	Ports model.PortRange
	// Src is the source address, or the zero Addr for any address the
	// sender can use.
	Src netip.Addr
	// Headers are HTTP headers the request carries. Headers the request
	// does not name may have any value or be absent. A header whose value
	// is a scenario secret must have Secret set, so that no report shows
	// the value.
	Headers []Header
}

// FlowResult reports whether some packet of a flow arrives at its tier.
type FlowResult struct {
	// From is the sender: an attacker's name, or a tier's name for a
	// compromised interface.
	From string
	To   string
	// Possible reports whether a packet of the flow, or a packet that
	// proxies and load balancers forward for it, arrives at the tier.
	Possible bool
	// Path, Hops and Packet show a shortest way a packet of the flow
	// arrives, when Possible. Packet is the packet as the sender puts it on
	// the wire.
	Path   []string
	Hops   []Hop
	Packet *Packet
	// Reached lists the tiers that packets of the flow arrive at, in the
	// order a breadth-first walk from the sender finds them.
	Reached []string
}

// Possible reports whether some packet of flow f arrives at its tier. The
// result is exact over the whole packet space of the flow, because the
// simulator sends one packet per class of the flow's packets. Those classes
// are the ones Check explores, cut down to the flow's protocol, ports,
// source and headers. Possible returns an error for a name the scenario
// does not define, and when the scenario's header patterns are too complex
// to enumerate exactly.
func (n *Network) Possible(f Flow) (*FlowResult, error) {
	a, err := n.flowSender(f)
	if err != nil {
		return nil, err
	}
	target, ok := n.tiers[f.To]
	if !ok {
		return nil, fmt.Errorf("unknown tier %q: expected one of %s", f.To, strings.Join(n.tierNames(), ", "))
	}

	x, root := n.newExploration(a)
	var starts []int64
	for _, e := range n.entries(a) {
		r, ok := restrictEntry(e, &f)
		if !ok || !n.headersSendable(r, f.Headers) {
			continue
		}
		before := len(x.graph.out[root.id])
		if err := n.sendClasses(x, root, r); err != nil {
			return nil, err
		}
		spaces := n.headerTests(r.to)
		for _, child := range x.graph.out[root.id][before:] {
			if headersAgree(x.states[child.ID()].pkt.Headers, f.Headers, spaces) {
				starts = append(starts, child.ID())
			}
		}
	}

	res := &FlowResult{From: a.Name, To: target.Name}
	parent, order := walkFrom(x.graph, root.id, starts)
	for _, id := range order {
		st := x.states[id]
		if st.tier == nil || slices.Contains(res.Reached, st.tier.Name) {
			continue
		}
		res.Reached = append(res.Reached, st.tier.Name)
		if st.tier != target || res.Possible {
			continue
		}
		res.Possible = true
		var path []*flowState
		for at := id; at >= 0; at = parent[at] {
			path = append(path, x.states[at])
		}
		slices.Reverse(path)
		for _, p := range path {
			res.Path = append(res.Path, p.node)
		}
		res.Hops = x.hops(path)
		pkt := res.Hops[0].Packet
		res.Packet = &pkt
	}
	return res, nil
}

// flowSender returns the attacker that sends a flow: the named attacker, or
// a compromised attacker at the named tier.
func (n *Network) flowSender(f Flow) (*model.Attacker, error) {
	if !f.FromTier {
		for _, a := range n.Scenario.Attackers {
			if a.Name == f.From {
				return a, nil
			}
		}
	}
	t, ok := n.tiers[f.From]
	switch {
	case ok && t.Kind.IsEndpoint():
		return &model.Attacker{Name: t.Name, Kind: model.AttackerCompromised, Tier: t.Tier}, nil
	case ok:
		return nil, fmt.Errorf("tier %q is of kind %s, which runs no code of yours; a flow starts at an attacker or at a compute or data-store tier", f.From, t.Kind)
	case f.FromTier:
		return nil, fmt.Errorf("unknown tier %q: expected one of %s", f.From, strings.Join(n.tierNames(), ", "))
	}
	names := make([]string, 0, len(n.Scenario.Attackers))
	for _, a := range n.Scenario.Attackers {
		names = append(names, a.Name)
	}
	return nil, fmt.Errorf("unknown attacker or tier %q: expected one of %s", f.From, strings.Join(append(names, n.tierNames()...), ", "))
}

// restrictEntry returns a copy of e whose packet space holds only the
// packets of f, or false when the two have no packet in common. Every class
// of the copy is then a class of e cut down to f, so exploring the copy
// decides f exactly.
func restrictEntry(e *entry, f *Flow) (*entry, bool) {
	r := *e
	if f.Protocol != model.AllProtocols {
		if e.protos != nil && !slices.Contains(e.protos, f.Protocol) {
			return nil, false
		}
		r.protos = []model.Protocol{f.Protocol}
	}
	if f.Protocol.HasPorts() {
		domain := e.ports
		if domain == nil {
			domain = []model.PortRange{model.AllPorts}
		}
		r.ports = nil
		for _, d := range domain {
			lo, hi := max(d.From, f.Ports.From), min(d.To, f.Ports.To)
			if lo <= hi {
				r.ports = append(r.ports, model.PortRange{From: lo, To: hi})
			}
		}
		if len(r.ports) == 0 {
			return nil, false
		}
	}
	if f.Src.IsValid() {
		if e.srcs.IsEmpty() {
			if e.src != f.Src {
				return nil, false
			}
		} else {
			if !e.srcs.Contains(f.Src) {
				return nil, false
			}
			r.srcs = SetOf(netip.PrefixFrom(f.Src, f.Src.BitLen()))
		}
	}
	return &r, true
}

// headersSendable reports whether the sender of entry e can send the
// headers: it cannot send a value equal to a secret it does not know, under
// that secret's header name.
func (n *Network) headersSendable(e *entry, headers []Header) bool {
	for _, h := range headers {
		for _, s := range n.secrets {
			if s.name == strings.ToLower(h.Name) && strings.EqualFold(s.value, h.Value) && !slices.Contains(e.knows, s) {
				return false
			}
		}
	}
	return true
}

// headersAgree reports whether a packet whose tested headers are sent
// stands for requests that carry the wanted headers. A wanted header that no
// filter tests agrees with anything. A tested one agrees when the packet
// carries the header with a value that matches the same patterns, because
// every filter then treats the two values alike.
func headersAgree(sent, wanted []Header, spaces []headerSpace) bool {
	for _, w := range wanted {
		i := slices.IndexFunc(spaces, func(hs headerSpace) bool { return strings.EqualFold(hs.name, w.Name) })
		if i < 0 {
			continue
		}
		j := slices.IndexFunc(sent, func(h Header) bool { return strings.EqualFold(h.Name, w.Name) })
		if j < 0 {
			return false
		}
		got, want := strings.ToLower(sent[j].Value), strings.ToLower(w.Value)
		for _, pattern := range spaces[i].patterns {
			if globMatch(pattern, got) != globMatch(pattern, want) {
				return false
			}
		}
	}
	return true
}

// walkFrom walks g breadth first from the start nodes, which are children
// of root, and returns the node before each node reached on a shortest path
// (root maps to -1) and the nodes in visit order, without root.
func walkFrom(g *flowGraph, root int64, starts []int64) (parent map[int64]int64, order []int64) {
	parent = map[int64]int64{root: -1}
	queue := make([]int64, 0, len(starts))
	for _, id := range starts {
		if _, seen := parent[id]; !seen {
			parent[id] = root
			queue = append(queue, id)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		order = append(order, id)
		for _, next := range g.out[id] {
			if _, seen := parent[next.ID()]; !seen {
				parent[next.ID()] = id
				queue = append(queue, next.ID())
			}
		}
	}
	return parent, order
}
