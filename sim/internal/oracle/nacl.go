package oracle

import (
	"net/netip"
	"slices"

	"github.com/sgchain/sgchain/model"
)

// Network ACLs, as docs/scenario-format.md ("Network ACLs") describes them:
// a subnet's network ACL filters what enters and leaves the subnet, so a
// packet between two tiers in one subnet meets none, unless it leaves
// through an internet gateway and comes back in. Rules are evaluated by
// ascending number, the first match decides, and no match is a deny. They
// are stateless, so the reply must pass too: out of the receiver's subnet
// and into the sender's, to the source port the sender picked. A subnet
// without a network ACL has the VPC's default, which allows everything.

// anyPort is the source-port range of an attacker, which picks its port.
var anyPort = model.PortRange{From: 1, To: 65535}

// proxyPorts is the source-port range of CloudFront's connections to
// origins, which the simulator assumes to be Elastic Load Balancing's
// documented range, and of the internet clients of intended traffic.
var proxyPorts = model.PortRange{From: 1024, To: 65535}

// subnetOf returns the subnet of a tier's representative interface: its
// first subnet, or nil for a distribution or a sender outside the VPCs.
func subnetOf(t *model.Tier) *model.Subnet {
	if t == nil || len(t.Subnets) == 0 {
		return nil
	}
	return t.Subnets[0]
}

// aclAllows runs one direction of a network ACL on a packet of proto to
// port; remote is the packet's source inbound and its destination
// outbound. A nil network ACL is the VPC's default, which allows all.
func aclAllows(acl *model.NetworkACL, dir model.Direction, proto model.Protocol, port int, remote netip.Addr) bool {
	if acl == nil {
		return true
	}
	rules := slices.Clone(acl.Ingress)
	if dir == model.Egress {
		rules = slices.Clone(acl.Egress)
	}
	slices.SortStableFunc(rules, func(a, b *model.NACLRule) int { return a.Number - b.Number })
	for _, r := range rules {
		if !r.CIDR.Contains(remote) {
			continue
		}
		if r.Protocol != model.AllProtocols && r.Protocol != proto {
			continue
		}
		if r.Protocol.HasPorts() && (port < r.Ports.From || port > r.Ports.To) {
			continue
		}
		return r.Allow
	}
	return false
}

// aclOf returns the network ACL of a subnet, nil for the default or for no
// subnet.
func aclOf(sn *model.Subnet) *model.NetworkACL {
	if sn == nil {
		return nil
	}
	return sn.NetworkACL
}

// legsPass decides the network ACLs on a way's legs: each request out of
// its leg's first subnet and into the second, then the replies back. The
// legs of one group share the reply's port, because an internet gateway
// keeps the sender's port and only a NAT gateway picks a new one.
func legsPass(legs []leg) bool {
	groups := map[int][]leg{}
	var order []int
	for _, l := range legs {
		if l.from == l.to {
			continue
		}
		out, in := aclOf(l.from), aclOf(l.to)
		if !aclAllows(out, model.Egress, l.p.proto, l.p.port, l.p.dst) || !aclAllows(in, model.Ingress, l.p.proto, l.p.port, l.p.src) {
			return false
		}
		if _, seen := groups[l.group]; !seen {
			order = append(order, l.group)
		}
		groups[l.group] = append(groups[l.group], l)
	}
	for _, g := range order {
		if !repliesPass(groups[g]) {
			return false
		}
	}
	return true
}

// repliesPass decides the replies on legs that share a reply port. A TCP
// or UDP reply goes to the sender's source port, an echo request gets an
// echo reply, another protocol's reply has no ports, and other ICMP
// messages get no reply. An attacker picks a source port whose reply
// passes every leg. The operating system behind intended traffic picks any
// port of its range, so every one must pass. A NAT gateway picks its port
// too, and an attacker retries until the port suits it.
func repliesPass(legs []leg) bool {
	p := legs[0].p
	back := func(proto model.Protocol, port int) bool {
		for _, l := range legs {
			if !aclAllows(aclOf(l.to), model.Egress, proto, port, l.p.src) || !aclAllows(aclOf(l.from), model.Ingress, proto, port, l.p.dst) {
				return false
			}
		}
		return true
	}
	switch p.proto {
	case model.ICMP:
		if p.port/256 != 8 {
			return true
		}
		return back(model.ICMP, 0)
	case model.ICMPv6:
		if p.port/256 != 128 {
			return true
		}
		return back(model.ICMPv6, 129*256)
	case model.TCP, model.UDP:
	default:
		return back(p.proto, 0)
	}

	ports := p.srcPorts
	if ports == (model.PortRange{}) {
		ports = anyPort
	}
	var acls []*model.NetworkACL
	for _, l := range legs {
		acls = append(acls, aclOf(l.from), aclOf(l.to))
	}
	passed, failed := false, false
	for _, port := range replyPortCandidates(acls, ports) {
		if back(p.proto, port) {
			passed = true
		} else {
			failed = true
		}
	}
	if p.intended {
		return !failed
	}
	return passed
}

// replyPortCandidates returns ports of r that together meet every case the
// network ACLs tell apart: r's ends and each rule range's ends and the
// ports just outside them. A rule matches a port range between two
// consecutive candidates alike, so checking the candidates checks all of r.
func replyPortCandidates(acls []*model.NetworkACL, r model.PortRange) []int {
	set := map[int]bool{r.From: true, r.To: true}
	for _, acl := range acls {
		if acl == nil {
			continue
		}
		for _, rule := range append(slices.Clone(acl.Ingress), acl.Egress...) {
			for _, p := range []int{rule.Ports.From - 1, rule.Ports.From, rule.Ports.To, rule.Ports.To + 1} {
				if r.Contains(p) {
					set[p] = true
				}
			}
		}
	}
	out := make([]int, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// ephemeralPorts returns the range a tier picks source ports from.
func ephemeralPorts(t *model.Tier) model.PortRange {
	if t.EphemeralPorts != (model.PortRange{}) {
		return t.EphemeralPorts
	}
	if t.Kind.IsLoadBalancer() {
		return proxyPorts
	}
	return anyPort
}
