package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Request selects the packet a trace follows. Fields left unset are chosen
// by the simulator: it tries the representative of every class that agrees
// with the fields that are set and narrates the first packet that reaches
// the target, or the drop closest to it.
type Request struct {
	// From names an attacker, or a tier whose interface sends as if
	// compromised.
	From string
	// To names the target tier.
	To string

	Protocol    model.Protocol
	HasProtocol bool
	// Port is the destination port, or type*256+code for ICMP.
	Port    int
	HasPort bool
	Src     netip.Addr
	// Headers replace the header classes when not nil. A header whose
	// value is a scenario secret must have Secret set.
	Headers []Header
	// Via, when set, keeps only paths that pass this node, such as a tier
	// name or "<attacker>/own-distribution". The value "direct" keeps only
	// paths that go straight from the sender to the target.
	Via string
	// Address, when set, keeps only first hops to this kind of address
	// of the receiver: "private", "public" or "ipv6".
	Address string
}

// TraceResult is one packet narrated hop by hop.
type TraceResult struct {
	From, To string
	// Reached reports whether the packet arrives at the target tier.
	Reached bool
	Path    []string
	Hops    []Hop
	// Packet is the packet as the sender puts it on the wire.
	Packet *Packet
	// Reason is the explanation code of the final drop.
	Reason string
	// Fix is the smallest change that would let the packet through, as a
	// sentence; empty when the packet arrives.
	Fix string
	// Others lists further paths along which the same request reaches the
	// target.
	Others [][]string
	// Notes record what the trace assumed, such as a secret the attacker
	// does not know.
	Notes []string
}

// Trace follows one packet from an attacker or tier to a tier. It returns an
// error for a name that is not in the scenario.
func Trace(s *model.Scenario, req Request) (*TraceResult, error) {
	return Compile(s).Trace(req)
}

// Trace follows one packet through the network. See the package function.
func (n *Network) Trace(req Request) (*TraceResult, error) {
	a, err := n.traceAttacker(req.From)
	if err != nil {
		return nil, err
	}
	target, ok := n.tiers[req.To]
	if !ok {
		return nil, fmt.Errorf("unknown tier %q: expected one of %s", req.To, strings.Join(n.tierNames(), ", "))
	}
	if req.Via != "" && req.Via != ViaDirect && n.tiers[req.Via] == nil && req.Via != DistributionNode(a.Name) {
		return nil, fmt.Errorf("unknown --via node %q: expected %q, a tier or %q", req.Via, ViaDirect, DistributionNode(a.Name))
	}

	if a.Kind == model.AttackerCompromised && a.Tier.Name == target.Name {
		return nil, fmt.Errorf("%s already runs on tier %s: trace to another tier", a.Name, target.Name)
	}
	x := n.exploreRequest(a, &req, target)
	if x.err != nil {
		return nil, x.err
	}
	res := &TraceResult{From: a.Name, To: target.Name}
	res.Notes = n.traceNotes(a, &req)

	var best *flowState
	seen := map[string]bool{}
	for _, id := range x.order {
		st := x.states[id]
		// The root is a compromised attacker's own tier, which no packet
		// reached.
		if st.tier != target || st == x.states[0] {
			continue
		}
		path := x.path(st)
		names := nodeNames(path)
		if !viaMatches(names, req.Via) {
			continue
		}
		key := strings.Join(names, ">")
		if seen[key] {
			continue
		}
		seen[key] = true
		if best == nil {
			best = st
			res.Path, res.Hops = names, x.hops(path)
		} else {
			res.Others = append(res.Others, names)
		}
	}
	if best == nil && req.Via != "" && req.Via != ViaDirect {
		// States are shared between paths that deliver the same packet,
		// and the shortest-path tree keeps one parent for each, so a path
		// through the via node may be missing from it. Search from the via
		// node's states instead.
		if path := x.pathVia(req.Via, target); path != nil {
			best = path[len(path)-1]
			res.Path, res.Hops = nodeNames(path), x.hops(path)
		}
	}
	if best != nil {
		res.Reached = true
		res.Packet = sentPacket(res.Hops[0])
		n.trackHops(res.Hops)
		return res, nil
	}

	d := n.closestDrop(x, target, req.Via)
	if d == nil {
		res.Path = []string{a.Name, target.Name}
		res.Reason = ReasonNoPath
		res.Fix = fmt.Sprintf("nothing %s can send is forwarded to %s; no listener, origin or route leads there", a.Name, target.Name)
		return res, nil
	}
	path := x.path(d.from)
	res.Path = append(nodeNames(path), d.hop.To)
	res.Hops = append(x.hops(path), d.hop)
	res.Packet = sentPacket(res.Hops[0])
	res.Reason = d.hop.Reason
	res.Fix = n.fixFor(d.hop)
	n.trackHops(res.Hops)
	if to := n.tiers[d.hop.To]; res.Fix != "" && to != nil && to.stage >= 2 && d.from.progress < to.stage-1 {
		res.Fix += fmt.Sprintf("; note that this path skips the chain before %s, so the drop is what keeps the chain, and this change would open a skip", to.Name)
	}
	return res, nil
}

// ViaDirect is the Via value that keeps only paths without intermediate
// nodes.
const ViaDirect = "direct"

// viaMatches reports whether a path of node names honours a Via request.
func viaMatches(names []string, via string) bool {
	switch via {
	case "":
		return true
	case ViaDirect:
		return len(names) == 2
	}
	return slices.Contains(names[1:len(names)-1], via)
}

// ReasonNoPath is the code of a trace that found no hop leading to the
// target.
const ReasonNoPath = "NO_PATH"

// traceAttacker returns the named attacker, or a compromised attacker at the
// named tier.
func (n *Network) traceAttacker(name string) (*model.Attacker, error) {
	for _, a := range n.Scenario.Attackers {
		if a.Name == name {
			return a, nil
		}
	}
	if t, ok := n.tiers[name]; ok {
		if !t.Kind.IsEndpoint() {
			return nil, fmt.Errorf("tier %q is of kind %s, which runs no code of yours; trace from an attacker or from a compute or data-store tier", name, t.Kind)
		}
		return &model.Attacker{Name: name, Kind: model.AttackerCompromised, Tier: t.Tier}, nil
	}
	var names []string
	for _, a := range n.Scenario.Attackers {
		names = append(names, a.Name)
	}
	return nil, fmt.Errorf("unknown attacker or tier %q: expected one of %s", name, strings.Join(append(names, n.tierNames()...), ", "))
}

func (n *Network) tierNames() []string {
	out := make([]string, len(n.ordered))
	for i, t := range n.ordered {
		out[i] = t.Name
	}
	return out
}

// exploreRequest explores the attacker's packets restricted to the request,
// adding a direct attempt at the target when no entry aims at it, so that a
// trace can say why the target is out of reach.
func (n *Network) exploreRequest(a *model.Attacker, req *Request, target *tierInfo) *exploration {
	x, root := n.newExploration(a)
	x.request = req

	entries := n.entries(a)
	if req.Address != "" {
		entries = slices.DeleteFunc(entries, func(e *entry) bool { return e.addressRole() != req.Address })
	}
	if !(a.Kind == model.AttackerCompromised && n.tiers[a.Tier.Name] == target) {
		for _, ipv6 := range n.requestFamilies(req, target) {
			direct := func(e *entry) bool { return e.to == target && e.via == "" && e.dst.Is6() == ipv6 }
			if slices.ContainsFunc(entries, direct) {
				continue
			}
			if e := n.directEntry(a, target, ipv6); e != nil && (req.Address == "" || e.addressRole() == req.Address) {
				entries = append(entries, e)
			}
		}
	}
	for _, e := range entries {
		if err := n.sendClasses(x, root, e); err != nil && x.err == nil {
			x.err = err
		}
	}
	x.parent, x.order = x.graph.shortestTree(root.id)
	return x
}

// directEntry is an attempt to send straight to a tier that the attacker has
// no entry for, such as an internet attacker and a tier without a public
// address. deliver then drops it with the reason.
func (n *Network) directEntry(a *model.Attacker, t *tierInfo, ipv6 bool) *entry {
	if t.Kind == model.KindCloudFront || t.Kind == model.KindAWSService {
		return nil
	}
	dst, self := t.PrivateIP, (*tierInfo)(nil)
	if a.Kind == model.AttackerCompromised {
		self = n.tiers[a.Tier.Name]
	}
	if ipv6 {
		if !t.IPv6 || (self != nil && !self.IPv6) {
			return nil
		}
		dst = t.IPv6Addr
	}
	switch a.Kind {
	case model.AttackerInternet:
		v4, v6 := n.internetSources()
		srcs := v4
		if ipv6 {
			srcs = v6
		}
		return &entry{to: t, dst: dst, from: sender{name: a.Name, public: true}, srcs: srcs, knows: n.knownSecrets(a)}
	case model.AttackerCompromised:
		src := self.PrivateIP
		if ipv6 {
			src = self.IPv6Addr
		}
		return &entry{to: t, dst: dst, from: sender{name: a.Name, tier: self}, src: src, ident: self.SecurityGroups, knows: n.knownSecrets(a)}
	}
	return nil
}

// requestFamilies returns the address families a trace tries a direct
// attempt in: the requested source's, or IPv4 and, when the target has an
// IPv6 address, IPv6.
func (n *Network) requestFamilies(req *Request, t *tierInfo) []bool {
	switch {
	case req.Src.IsValid():
		return []bool{req.Src.Is6()}
	case req.Address == "ipv6":
		return []bool{true}
	case t.IPv6:
		return []bool{false, true}
	}
	return []bool{false}
}

// closestDrop picks the drop to narrate when nothing arrives. It prefers a
// drop at the target itself. Among those it prefers one on a real path over
// the direct attempt a trace adds to explain an unreachable tier, then the
// one that passed the most filters before it stopped, then the shortest
// path.
// Away from the target it prefers the drop furthest along a path. Ties go to
// the drop found first.
func (n *Network) closestDrop(x *exploration, target *tierInfo, via string) *dropped {
	var best *dropped
	var bestScore [4]int
	for i := range x.drops {
		d := &x.drops[i]
		path := x.path(d.from)
		if !viaMatches(append(nodeNames(path), d.hop.To), via) {
			continue
		}
		passed := 0
		for _, st := range d.hop.Steps {
			if st.Allowed {
				passed++
			}
		}
		score := [4]int{1, 0, -passed, -len(path)}
		if d.hop.To == target.Name {
			synthetic := 0
			if d.hop.Reason == ReasonNotInternetFacing {
				synthetic = 1
			}
			score = [4]int{0, synthetic, -passed, len(path)}
		}
		if best == nil || slices.Compare(score[:], bestScore[:]) < 0 {
			best, bestScore = d, score
		}
	}
	return best
}

func nodeNames(path []*flowState) []string {
	out := make([]string, len(path))
	for i, st := range path {
		out[i] = st.node
	}
	return out
}

// traceNotes lists what the trace assumed about the request.
func (n *Network) traceNotes(a *model.Attacker, req *Request) []string {
	var out []string
	for _, h := range req.Headers {
		if h.Secret && !slices.ContainsFunc(n.knownSecrets(a), func(s secretHeader) bool { return s.name == strings.ToLower(h.Name) }) {
			out = append(out, fmt.Sprintf("the request carries the secret value of %s, which attacker %s does not know (knows_secrets)", h.Name, a.Name))
		}
	}
	return out
}

// fixFor returns the smallest change that would let the dropped hop through,
// as a sentence.
func (n *Network) fixFor(h Hop) string {
	if len(h.Steps) == 0 {
		return ""
	}
	st := h.Steps[len(h.Steps)-1]
	p := &h.Packet
	to := n.tiers[h.To]
	what := p.Protocol.String()
	if p.Protocol.HasPorts() {
		what += " " + p.PortString()
	}
	switch st.Reason {
	case ReasonSGRulesMismatch, ReasonSGNoRules:
		if st.Filter == FilterEgress {
			from := n.senderTier(h.From)
			if from == nil || len(from.SecurityGroups) == 0 {
				return ""
			}
			peer := netip.PrefixFrom(p.Dst, p.Dst.BitLen()).String()
			if len(p.dstGroups) > 0 {
				peer = "security group " + p.dstGroups[0].Name
			}
			return fmt.Sprintf("add to security group %s an egress rule: %s to %s", from.SecurityGroups[0].Name, what, peer)
		}
		peer := netip.PrefixFrom(p.Src, p.Src.BitLen()).String()
		if len(p.Identity) > 0 {
			peer = "security group " + p.Identity[0].Name
		}
		return fmt.Sprintf("add to security group %s an ingress rule: %s from %s", to.SecurityGroups[0].Name, what, peer)
	case ReasonListenerPort, ReasonListenerProtocol:
		return fmt.Sprintf("add a %s listener to %s on %s", strings.ToUpper(p.Protocol.String()), to.Name, what)
	case ReasonFixedResponse:
		return fmt.Sprintf("send a request that meets the conditions of a forwarding rule of %s, or change %s to forward: %s", to.Name, st.Rule, missingConditions(to, p))
	case ReasonWAFBlock:
		if st.Rule != "" {
			return fmt.Sprintf("remove or narrow WAF rule %s", st.Rule)
		}
		return "add an allow rule to the web ACL, whose default action is block"
	case ReasonNotInternetFacing:
		if to.Kind.IsLoadBalancer() {
			return fmt.Sprintf("make %s internet-facing", to.Name)
		}
		return fmt.Sprintf("give %s a public address in a subnet routed to an internet gateway", to.Name)
	case ReasonEgressOnly:
		return fmt.Sprintf("route %s from a subnet of %s to an internet gateway instead of the egress-only internet gateway", p.Src, to.Name)
	case ReasonPublicIPEgress:
		return fmt.Sprintf("give %s a public IPv4 address, or route its subnet's internet traffic through a NAT gateway", h.From)
	case ReasonNoRoute, ReasonPeeringCIDR:
		return fmt.Sprintf("route %s, and the replies back, through a gateway or connection that reaches it: %s", p.Dst, st.Detail)
	case ReasonSubnetACL:
		if st.acl == nil {
			return ""
		}
		dir, peer := "inbound", p.Src
		if st.aclDir == model.Egress {
			dir, peer = "outbound", p.Dst
		}
		if st.Filter == FilterNACLReply {
			peer = p.Src
			if st.aclDir == model.Ingress {
				peer = p.Dst
			}
		}
		bits := 32
		if peer.Is6() {
			bits = 128
		}
		return fmt.Sprintf("add to network ACL %s an %s allow rule, numbered before any rule that denies it: %s %s with CIDR %s",
			st.acl.Name, dir, p.Protocol, st.aclPorts, netip.PrefixFrom(peer, bits))
	case ReasonProtocolRestrict:
		return "send TCP to port 80 or 443: CloudFront accepts nothing else from viewers"
	}
	return ""
}

// missingConditions names the header and source conditions of t's
// forwarding rules that p does not meet.
func missingConditions(t *tierInfo, p *Packet) string {
	var out []string
	for _, l := range t.Listeners {
		if l.Port != p.Port {
			continue
		}
		for _, r := range l.Rules {
			if !r.Action.IsForward() {
				continue
			}
			for _, c := range r.Conditions {
				if conditionHolds(c, p) {
					continue
				}
				if c.Header != nil {
					out = append(out, fmt.Sprintf("rule priority %d needs header %s with a matching value", r.Priority, c.Header.Name))
				} else {
					out = append(out, fmt.Sprintf("rule priority %d needs a source address in its source-ip condition", r.Priority))
				}
			}
		}
	}
	if len(out) == 0 {
		return "no forwarding rule applies on this port"
	}
	return strings.Join(out, "; ")
}

// senderTier returns the tier whose egress rules filter what the named node
// sends: the tier itself, or a compromised attacker's tier. It returns nil
// for other nodes.
func (n *Network) senderTier(name string) *tierInfo {
	if t, ok := n.tiers[name]; ok {
		return t
	}
	for _, a := range n.Scenario.Attackers {
		if a.Name == name && a.Tier != nil {
			return n.tiers[a.Tier.Name]
		}
	}
	return nil
}

// pathVia returns a path from the attacker through a state at node via to a
// state at target. It takes the first via state, in breadth-first order,
// that leads to target, and joins the shortest paths to it and on from it.
// It returns nil when no via state leads to target.
func (x *exploration) pathVia(via string, target *tierInfo) []*flowState {
	for _, id := range x.order {
		v := x.states[id]
		if v.node != via {
			continue
		}
		parent, order := x.graph.shortestTree(v.id)
		for _, tid := range order {
			if st := x.states[tid]; st.tier == target && tid != v.id {
				head := x.path(v)
				for _, sid := range pathTo(parent, tid)[1:] {
					head = append(head, x.states[sid])
				}
				return head
			}
		}
	}
	return nil
}

// sentPacket returns the packet of h as its sender sent it.
func sentPacket(h Hop) *Packet {
	if h.Sent != nil {
		p := *h.Sent
		return &p
	}
	p := h.Packet
	return &p
}
