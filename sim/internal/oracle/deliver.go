package oracle

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// arrive decides what tier t does with packet p from sender f. admitted
// reports whether p passes the network filters and, at a load balancer,
// finds a listener. reached reports whether the tier accepts p, which an
// ALB's fixed 4xx or 5xx response denies. next lists the packets t sends
// on.
func (o *Oracle) arrive(f sender, t *model.Tier, p packet) (admitted, reached bool, next []hop) {
	p, ok := o.networkPasses(f, t, p)
	if !ok {
		return false, false, nil
	}
	switch t.Kind {
	case model.KindCloudFront:
		// CloudFront accepts viewers on HTTP and HTTPS only.
		if p.proto != model.TCP || (p.port != 80 && p.port != 443) {
			return false, false, nil
		}
		if w := t.CloudFront.WAF; w != nil && !o.wafAllows(w, p) {
			return false, false, nil
		}
		return true, true, o.originRequests(t, p)

	case model.KindNLB:
		l := listener(t, p)
		if l == nil {
			return false, false, nil
		}
		for _, tg := range l.Default.Forward {
			q := packet{src: t.PrivateIP, dst: tg.Tier.PrivateIP, proto: p.proto, port: tg.Port, ident: t.SecurityGroups, headers: p.headers,
				srcPorts: ephemeralPorts(t), intended: p.intended}
			if tg.PreserveClientIP {
				// The target sees the client's address and port.
				q.src, q.srcPorts = p.src, p.srcPorts
			}
			next = append(next, hop{from: sender{node: t.Name, tier: t}, to: tg.Tier, p: q})
		}
		return true, true, next

	case model.KindALB:
		l := listener(t, p)
		if l == nil {
			return false, false, nil
		}
		a := albDecide(l, p)
		if len(a.Forward) == 0 {
			return true, a.FixedStatus < 400, nil
		}
		for _, tg := range a.Forward {
			q := packet{src: t.PrivateIP, dst: tg.Tier.PrivateIP, proto: model.TCP, port: tg.Port, ident: t.SecurityGroups, headers: p.headers,
				srcPorts: ephemeralPorts(t), intended: p.intended}
			next = append(next, hop{from: sender{node: t.Name, tier: t}, to: tg.Tier, p: q})
		}
		return true, true, next
	}
	return true, true, nil
}

// networkPasses applies the filters that do not look at HTTP along some
// way from f to t: routing, the sender's egress rules, the network ACLs on
// the way there and back, and the receiver's ingress rules. It returns the
// packet as t receives it, whose source routing may have translated.
func (o *Oracle) networkPasses(f sender, t *model.Tier, p packet) (packet, bool) {
	for _, w := range o.ways(f, t, p) {
		if f.tier != nil && len(f.tier.SecurityGroups) > 0 && !o.anyRule(o.egress[f.tier], p, w.dstRefs) {
			continue
		}
		if !legsPass(w.legs) {
			continue
		}
		switch {
		case t.Kind == model.KindCloudFront:
		case t.Kind == model.KindNLB && len(t.SecurityGroups) == 0:
			// An NLB without security groups admits every client.
		case !o.anyRule(o.ingress[t], w.seen, false):
			continue
		}
		return w.seen, true
	}
	return p, false
}

// hasInternetRoute reports whether some subnet of t sends some address to
// an internet gateway. Without one, no reply to the internet leaves t, so
// nothing from the internet reaches it.
func hasInternetRoute(t *model.Tier) bool {
	for _, sn := range t.Subnets {
		if sn.RouteTable == nil {
			continue
		}
		for _, r := range sn.RouteTable.Routes {
			if r.Target == model.TargetInternetGateway {
				return true
			}
		}
	}
	return false
}

// anyRule reports whether some rule admits p. Security-group rules only
// allow, so the order does not matter. dstRefs reports whether outbound
// references can match p's destination.
func (o *Oracle) anyRule(rules []*model.Rule, p packet, dstRefs bool) bool {
	return slices.ContainsFunc(rules, func(r *model.Rule) bool { return o.ruleAdmits(r, p, dstRefs) })
}

func (o *Oracle) ruleAdmits(r *model.Rule, p packet, dstRefs bool) bool {
	if r.Protocol != model.AllProtocols {
		if r.Protocol != p.proto {
			return false
		}
		// AWS ignores the port range of protocols other than these four.
		if r.Protocol.HasPorts() && (p.port < r.Ports.From || p.port > r.Ports.To) {
			return false
		}
	}
	remote := p.src
	if r.Direction == model.Egress {
		remote = p.dst
	}
	switch r.Peer.Kind {
	case model.PeerCIDR:
		return r.Peer.CIDR.Contains(remote)
	case model.PeerPrefixList:
		return slices.ContainsFunc(r.Peer.PrefixList.Entries, func(e netip.Prefix) bool { return e.Contains(remote) })
	}
	g := r.Peer.SecurityGroup
	if r.Direction == model.Ingress {
		// An inbound reference matches the identity of the sender.
		return slices.Contains(p.ident, g)
	}
	// An outbound reference matches the private addresses, IPv4 and IPv6,
	// of the interfaces that carry the group, where the way keeps them.
	t := o.byAddr[p.dst]
	return dstRefs && t != nil && slices.Contains(t.SecurityGroups, g)
}

// listener returns the listener of load balancer t that accepts p. HTTP,
// HTTPS, TCP and TLS listeners take TCP, UDP listeners UDP, and TCP_UDP
// listeners both.
func listener(t *model.Tier, p packet) *model.Listener {
	for _, l := range t.Listeners {
		if l.Port != p.port {
			continue
		}
		switch l.Protocol {
		case "HTTP", "HTTPS", "TCP", "TLS":
			if p.proto == model.TCP {
				return l
			}
		case "UDP":
			if p.proto == model.UDP {
				return l
			}
		case "TCP_UDP":
			if p.proto == model.TCP || p.proto == model.UDP {
				return l
			}
		}
	}
	return nil
}

// albDecide returns the action of the first rule, by ascending priority,
// whose conditions all hold, or the listener's default action.
func albDecide(l *model.Listener, p packet) *model.Action {
	rules := slices.Clone(l.Rules)
	slices.SortStableFunc(rules, func(a, b *model.ListenerRule) int { return a.Priority - b.Priority })
	for _, r := range rules {
		all := true
		for _, c := range r.Conditions {
			if c.Header != nil {
				all = all && headerMatches(c.Header, p)
			} else {
				// source_ip tests the TCP peer the ALB sees.
				all = all && slices.ContainsFunc(c.SourceIPs, func(e netip.Prefix) bool { return e.Contains(p.src) })
			}
		}
		if all {
			return r.Action
		}
	}
	return l.Default
}

// wafAllows runs a web ACL: rules by ascending priority until an allow or
// block rule matches, count rules only count, and the default action
// applies when none ends the evaluation.
func (o *Oracle) wafAllows(w *model.WAF, p packet) bool {
	rules := slices.Clone(w.Rules)
	slices.SortStableFunc(rules, func(a, b *model.WAFRule) int { return a.Priority - b.Priority })
	for _, r := range rules {
		var match bool
		if r.Header != nil {
			match = headerMatches(r.Header, p)
		} else {
			match = slices.ContainsFunc(r.SourceCIDRs, func(e netip.Prefix) bool { return e.Contains(p.src) })
		}
		if match && r.Action != "count" {
			return r.Action == "allow"
		}
	}
	return w.DefaultAction == "allow"
}

// headerMatches reports whether p carries the header with a value that
// matches one of the patterns, names and values compared without regard to
// case.
func headerMatches(m *model.HeaderMatch, p packet) bool {
	v, ok := p.headers[strings.ToLower(m.Name)]
	if !ok {
		return false
	}
	return slices.ContainsFunc(m.Values, func(pat string) bool { return glob(strings.ToLower(pat), strings.ToLower(v)) })
}

// glob matches s against pattern, where * matches any run of bytes and ?
// one byte. It tries every split recursively, which is slow but plainly
// right for the short strings of the tests.
func glob(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if glob(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && glob(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && glob(pattern[1:], s[1:])
}

// originRequests returns the requests distribution t sends for viewer
// request p: one to each origin on each port its protocol policy uses, from
// every address of the origin-facing pool in the universe. As in the
// simulator, a distribution reaches its origins at their public IPv4
// addresses. A request
// carries the viewer's headers and the origin's custom headers, which
// replace a viewer header of the same name. The viewer picks the path and
// so the origin.
func (o *Oracle) originRequests(t *model.Tier, p packet) []hop {
	var out []hop
	for _, org := range t.CloudFront.Origins {
		headers := map[string]string{}
		for k, v := range p.headers {
			headers[k] = v
		}
		for _, h := range org.CustomHeaders {
			headers[strings.ToLower(h.Name)] = h.Value
		}
		for _, port := range originPorts(org) {
			for _, src := range o.poolSources(org.Tier.PublicAddr) {
				q := packet{src: src, dst: org.Tier.PublicAddr, proto: model.TCP, port: port, headers: headers, srcPorts: proxyPorts, intended: p.intended}
				out = append(out, hop{from: sender{node: t.Name, public: true}, to: org.Tier, p: q})
			}
		}
	}
	return out
}

// originPorts returns the ports the protocol policy sends to.
func originPorts(org *model.Origin) []int {
	switch org.ProtocolPolicy {
	case "http-only":
		return []int{org.HTTPPort}
	case "https-only":
		return []int{org.HTTPSPort}
	}
	if org.HTTPPort == org.HTTPSPort {
		return []int{org.HTTPPort}
	}
	return []int{org.HTTPPort, org.HTTPSPort}
}

// poolSources returns the universe's addresses in CloudFront's pool of
// the family of dst.
func (o *Oracle) poolSources(dst netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, a := range o.u.Sources {
		if a.Is4() == dst.Is4() && inAny(o.pool, a) {
			out = append(out, a)
		}
	}
	return out
}

func inAny(ps []netip.Prefix, a netip.Addr) bool {
	return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(a) })
}
