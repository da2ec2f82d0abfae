package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Hop is one packet's passage from one node of a path to the next.
type Hop struct {
	From, To string
	Packet   Packet
	Steps    []Step
	// Delivered reports whether the receiving tier accepted the packet.
	Delivered bool
	// Reason is the explanation code of a drop.
	Reason string
	// Reply describes how the reply to this packet returns to the sender.
	Reply string
	// Sent is the packet as the sender sent it when routing rewrote its
	// source on the way, through a NAT or internet gateway; Packet is then
	// the packet as it arrives. It is nil otherwise.
	Sent *Packet
	// Tracking is the connection tracking on both ends, set by Trace.
	Tracking *Tracking
}

// sender is the node a packet leaves: a tier whose egress rules apply, or a
// node outside the VPC with no filter of its own.
type sender struct {
	name string
	tier *tierInfo // nil when no security group filters the sender
	// public reports whether the packet crosses the internet, so that it can
	// only reach a public address.
	public bool
	// autoTracked reports whether the flow passes a component whose
	// connections AWS always tracks, such as a Network Load Balancer.
	autoTracked bool
}

// arrival is the outcome of a delivery: the hop and the packets the tier
// forwards.
type arrival struct {
	hop Hop
	// admitted reports whether the packet passed the network filters and
	// found a listener, whatever the listener's rules then did with it.
	admitted bool
	forwards []forward
}

// forward is a packet a proxy or load balancer sends on to a target.
type forward struct {
	to     *tierInfo
	pkt    Packet
	from   sender
	origin *model.Origin // set when a CloudFront distribution forwards
	steps  []Step        // steps the forwarding node records for the next hop
}

// deliver sends p from s to t and evaluates every filter on the way: the
// sender's egress rules, the receiver's ingress rules, and for a load
// balancer or distribution its listener, rules and web ACL.
func (n *Network) deliver(s sender, t *tierInfo, p Packet) arrival {
	hop := Hop{From: s.name, To: t.Name, Packet: p}
	drop := func(st Step) arrival {
		hop.Steps = append(hop.Steps, st)
		hop.Reason = st.Reason
		return arrival{hop: hop}
	}

	tr := n.transit(s, t, p)
	if tr.drop != nil {
		return drop(*tr.drop)
	}
	if s.tier != nil && len(s.tier.SecurityGroups) > 0 {
		// Egress rules test the destination and the receiver's groups.
		// Routing keeps the first and may erase the second, so the routed
		// packet decides them. A drop shows the packet as sent.
		st := sgStep(s.tier, model.Egress, &tr.pkt)
		if !st.Allowed {
			return drop(st)
		}
		hop.Steps = append(hop.Steps, st)
	}
	if tr.pkt.Src != p.Src {
		sent := p
		hop.Sent = &sent
	}
	p = tr.pkt
	hop.Packet = p
	hop.Steps = append(hop.Steps, tr.steps...)

	for _, l := range tr.legs[:tr.nlegs] {
		for _, st := range naclRequest(l.from, l.to, &l.pkt, l.crossing) {
			if !st.Allowed {
				return drop(st)
			}
			hop.Steps = append(hop.Steps, st)
		}
	}

	switch t.Kind {
	case model.KindCloudFront:
		if p.Protocol != model.TCP || (p.Port != 80 && p.Port != 443) {
			return drop(Step{Filter: FilterListener, Component: "distribution " + t.Name, Reason: ReasonProtocolRestrict, Pos: t.Pos,
				Detail: "CloudFront accepts viewer connections only on TCP 80 (HTTP) and 443 (HTTPS)"})
		}
		if cf := t.CloudFront; cf.WAF != nil {
			st := n.evalWAF(cf.WAF, &p)
			if !st.Allowed {
				return drop(st)
			}
			hop.Steps = append(hop.Steps, st)
		}
		hop.Delivered = true
		hop.Reply = "CloudFront answers on the viewer's connection"
		return arrival{hop: hop, admitted: true, forwards: n.cloudFrontForwards(t, p)}
	case model.KindNLB:
		if len(t.SecurityGroups) > 0 {
			st := sgStep(t, model.Ingress, &p)
			if !st.Allowed {
				return drop(st)
			}
			hop.Steps = append(hop.Steps, st)
		} else {
			hop.Steps = append(hop.Steps, Step{Filter: FilterIngress, Component: "tier " + t.Name, Allowed: true, Pos: t.Pos,
				Detail: "the Network Load Balancer has no security groups, so all client traffic reaches its listeners"})
		}
	case model.KindAWSService:
		hop.Steps = append(hop.Steps, Step{Filter: FilterIngress, Component: "tier " + t.Name, Allowed: true, Pos: t.Pos,
			Detail: "the AWS service has no security group; endpoint and bucket policies are not modeled"})
	default:
		st := sgStep(t, model.Ingress, &p)
		if !st.Allowed {
			return drop(st)
		}
		hop.Steps = append(hop.Steps, st)
	}

	for i := tr.nlegs - 1; i >= 0; i-- {
		l := tr.legs[i]
		if st, ok := naclReply(l.from, l.to, &l.pkt, l.crossing); ok {
			if !st.Allowed {
				return drop(st)
			}
			hop.Steps = append(hop.Steps, st)
		}
	}

	hop.Reply = n.replyPath(s, t, &p)
	if !t.Kind.IsLoadBalancer() {
		hop.Delivered = true
		return arrival{hop: hop, admitted: true}
	}

	l := listenerFor(t, &p)
	if l == nil {
		return drop(Step{Filter: FilterListener, Component: "tier " + t.Name, Reason: ReasonListenerPort, Pos: t.Pos,
			Detail: fmt.Sprintf("no %s listener accepts %s on port %s", t.Kind, p.Protocol, p.PortString())})
	}
	if t.Kind == model.KindNLB {
		hop.Delivered = true
		hop.Steps = append(hop.Steps, Step{Filter: FilterListener, Component: fmt.Sprintf("listener %s %d", l.Protocol, l.Port),
			Allowed: true, Pos: l.Pos, Rule: l.Path, Detail: "the listener forwards without looking at the payload"})
		return arrival{hop: hop, admitted: true, forwards: n.nlbForwards(t, l, p)}
	}

	action, st := albAction(l, &p)
	hop.Steps = append(hop.Steps, st)
	if !action.IsForward() && action.FixedStatus >= 400 {
		hop.Reason = st.Reason
		return arrival{hop: hop, admitted: true}
	}
	hop.Delivered = true
	return arrival{hop: hop, admitted: true, forwards: n.albForwards(t, action, p)}
}

// listenerFor returns the listener of load balancer t that accepts p.
func listenerFor(t *tierInfo, p *Packet) *model.Listener {
	for _, l := range t.Listeners {
		if l.Port != p.Port {
			continue
		}
		proto := strings.ToLower(l.Protocol)
		switch {
		case p.Protocol == model.TCP && proto != "udp":
			return l
		case p.Protocol == model.UDP && (proto == "udp" || proto == "tcp_udp"):
			return l
		}
	}
	return nil
}

// albAction evaluates an ALB listener's rules in priority order and returns
// the action of the first rule whose conditions all hold, or the default.
func albAction(l *model.Listener, p *Packet) (*model.Action, Step) {
	for _, r := range l.Rules {
		if !slices.ContainsFunc(r.Conditions, func(c *model.Condition) bool { return !conditionHolds(c, p) }) {
			return r.Action, actionStep(l, r.Action, r.Path, r.Pos, fmt.Sprintf("rule priority %d matches", r.Priority))
		}
	}
	detail := "no rule matches, so the default action applies"
	if len(l.Rules) == 0 {
		detail = "the listener has only its default action"
	}
	return l.Default, actionStep(l, l.Default, l.Default.Path, l.Default.Pos, detail)
}

func actionStep(l *model.Listener, a *model.Action, path string, pos model.Pos, why string) Step {
	st := Step{Filter: FilterListener, Component: fmt.Sprintf("listener %s %d", strings.ToUpper(l.Protocol), l.Port), Rule: path, Pos: pos}
	switch {
	case a.IsForward():
		names := make([]string, len(a.Forward))
		for i, tg := range a.Forward {
			names[i] = fmt.Sprintf("%s:%d", tg.Tier.Name, tg.Port)
		}
		st.Allowed = true
		st.Detail = why + " and forwards to " + strings.Join(names, ", ")
	case a.FixedStatus >= 400:
		st.Reason = ReasonFixedResponse
		st.Detail = fmt.Sprintf("%s and returns fixed response %d", why, a.FixedStatus)
	default:
		st.Allowed = true
		st.Detail = fmt.Sprintf("%s and answers with fixed response %d", why, a.FixedStatus)
	}
	return st
}

// conditionHolds evaluates one ALB rule condition. A source-ip condition
// tests the TCP peer address, which behind a proxy is the proxy's.
func conditionHolds(c *model.Condition, p *Packet) bool {
	if c.Header != nil {
		return headerMatches(c.Header, p)
	}
	return containsAddr(c.SourceIPs, p.Src)
}

// headerMatches reports whether p carries the header with a value matching one
// of the patterns, without regard to case.
func headerMatches(m *model.HeaderMatch, p *Packet) bool {
	h, ok := p.header(m.Name)
	if !ok {
		return false
	}
	return slices.ContainsFunc(m.Values, func(v string) bool { return globMatch(strings.ToLower(v), strings.ToLower(h.Value)) })
}

// evalWAF runs the web ACL's rules in ascending priority until one
// terminates; count rules only count. The default action applies when none
// terminates.
func (n *Network) evalWAF(w *model.WAF, p *Packet) Step {
	st := Step{Filter: FilterWAF, Component: "web ACL " + w.Name, Pos: w.Pos}
	rules := slices.Clone(w.Rules)
	slices.SortStableFunc(rules, func(a, b *model.WAFRule) int { return a.Priority - b.Priority })
	for _, r := range rules {
		matched := false
		if r.Header != nil {
			matched = headerMatches(r.Header, p)
		} else {
			matched = containsAddr(r.SourceCIDRs, p.Src)
		}
		if !matched || r.Action == "count" {
			continue
		}
		st.Rule, st.Pos = r.Path, r.Pos
		st.Allowed = r.Action == "allow"
		st.Detail = fmt.Sprintf("rule %s (priority %d) matches and its action is %s", r.Name, r.Priority, r.Action)
		if !st.Allowed {
			st.Reason = ReasonWAFBlock
		}
		return st
	}
	st.Allowed = w.DefaultAction == "allow"
	st.Detail = "no rule terminates, so the default action " + w.DefaultAction + " applies"
	if len(w.ManagedRuleGroups) > 0 {
		st.Detail += fmt.Sprintf("; managed rule groups %s inspect request content the model does not represent and are assumed to let a well-formed request through",
			strings.Join(w.ManagedRuleGroups, ", "))
	}
	if !st.Allowed {
		st.Reason = ReasonWAFBlock
	}
	return st
}

// cloudFrontForwards returns the requests a distribution sends to its
// origins for viewer request p. The viewer chooses the path, and so the
// cache behavior and origin, so every origin is a possible next hop.
// CloudFront opens a new connection from its origin-facing pool, passes the
// viewer's headers on and sets its origin custom headers, replacing a viewer
// header of the same name.
func (n *Network) cloudFrontForwards(t *tierInfo, p Packet) []forward {
	var out []forward
	for _, o := range t.CloudFront.Origins {
		to := n.tiers[o.Tier.Name]
		for _, port := range o.Ports() {
			q := Packet{Protocol: model.TCP, Port: port, Dst: to.PublicAddr, Headers: p.Headers, srcPorts: elbEphemeral, intended: p.intended}
			for _, h := range o.CustomHeaders {
				q = q.withHeader(Header{Name: h.Name, Value: h.Value, Secret: h.Secret})
			}
			for _, src := range n.poolSources(to, &q) {
				q.Src = src
				out = append(out, forward{to: to, pkt: q, from: sender{name: t.Name, public: true}, origin: o})
			}
		}
	}
	return out
}

// albForwards returns the requests an ALB sends to the targets of a forward
// action. The ALB opens new connections from its private address, so targets
// see its address and security groups; the HTTP headers pass through.
func (n *Network) albForwards(t *tierInfo, a *model.Action, p Packet) []forward {
	var out []forward
	for _, tg := range a.Forward {
		to := n.tiers[tg.Tier.Name]
		q := Packet{Src: t.PrivateIP, Dst: to.PrivateIP, Protocol: model.TCP, Port: tg.Port,
			Identity: t.SecurityGroups, Headers: p.Headers, dstGroups: to.SecurityGroups, srcPorts: clientPorts(t), intended: p.intended}
		out = append(out, forward{to: to, pkt: q, from: sender{name: t.Name, tier: t}})
	}
	return out
}

// nlbForwards returns the packets an NLB passes to its targets. With client
// IP preservation the target sees the client's address, otherwise the NLB's
// private address. Either way a target's rule that references the NLB's
// security group matches, because AWS documents that such a reference admits
// traffic through the NLB even with client IP preservation on.
func (n *Network) nlbForwards(t *tierInfo, l *model.Listener, p Packet) []forward {
	var out []forward
	for _, tg := range l.Default.Forward {
		to := n.tiers[tg.Tier.Name]
		q := Packet{Src: t.PrivateIP, Dst: to.PrivateIP, Protocol: p.Protocol, Port: tg.Port,
			Identity: t.SecurityGroups, Headers: p.Headers, dstGroups: to.SecurityGroups, srcPorts: clientPorts(t), intended: p.intended}
		detail := "client IP preservation is off, so the target sees the NLB's private address"
		if tg.PreserveClientIP {
			// The target sees the client's address and port, and its reply
			// must reach that port.
			q.Src, q.srcPorts = p.Src, p.srcPorts
			detail = "client IP preservation is on, so the target sees the client's address"
		}
		if !tg.PreserveClientIPSet {
			detail += fmt.Sprintf(" (AWS's default for target type %s and protocol %s)", tg.TargetType, strings.ToUpper(l.Protocol))
		}
		st := Step{Filter: FilterForward, Component: "tier " + t.Name, Allowed: true, Rule: tg.Path, Pos: tg.Pos, Detail: detail}
		out = append(out, forward{to: to, pkt: q, from: sender{name: t.Name, tier: t, autoTracked: true}, steps: []Step{st}})
	}
	return out
}

// poolSources returns one CloudFront origin-facing address for each class of
// the pool that the receiver's rules tell apart.
func (n *Network) poolSources(to *tierInfo, q *Packet) []netip.Addr {
	atoms := Atoms(n.cloudFrontPool.Family(q.Dst.Is6()), n.sourceCuts(to, q.Protocol, q.Port))
	out := make([]netip.Addr, len(atoms))
	for i, a := range atoms {
		out[i] = representative(a)
	}
	return out
}

// replyPath describes how the reply to p returns from t to s. Security groups are
// stateful, so replies to an admitted request always pass them; the text says
// whether connection tracking or the rules themselves admit them, with the
// same verdict as the receiver's tracking in a trace.
func (n *Network) replyPath(s sender, t *tierInfo, p *Packet) string {
	d := decideTracking(t, s.tier, model.Ingress, p)
	switch {
	case d.state == "":
		return "no security group on the receiver; the reply returns to the sender's tracked connection"
	case d.state == AutoTracked:
		return "tracked: " + d.reason
	case d.state == Untracked:
		return "untracked: inbound is open to all addresses and outbound to all addresses on all ports, so rule evaluation admits the reply"
	case p.Protocol != model.TCP && p.Protocol != model.UDP:
		return "tracked: security groups track the reply by connection state"
	}
	return "tracked: the security groups of " + t.Name + " admit the reply by connection state"
}

// clientPorts returns the source-port range a tier's interfaces pick from
// when they open a connection.
func clientPorts(t *tierInfo) model.PortRange {
	if t.EphemeralPorts != (model.PortRange{}) {
		return t.EphemeralPorts
	}
	if t.Kind.IsLoadBalancer() {
		return elbEphemeral
	}
	return anySourcePort
}

// containsAddr reports whether a lies in one of the prefixes. Conditions
// are tested once per packet, so this avoids building an address set each
// time.
func containsAddr(prefixes []netip.Prefix, a netip.Addr) bool {
	return slices.ContainsFunc(prefixes, func(p netip.Prefix) bool { return p.Contains(a) })
}
