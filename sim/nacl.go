package sim

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/sgchain/sgchain/model"
)

// Network ACL filters and their drop reason.
const (
	FilterNACLOut   Filter = "network ACL out"
	FilterNACLIn    Filter = "network ACL in"
	FilterNACLReply Filter = "network ACL reply"

	ReasonSubnetACL = "SUBNET_ACL_RESTRICTION"
)

// anySourcePort is the source-port range of a sender that picks its port
// freely, such as an attacker on its own machine.
var anySourcePort = model.PortRange{From: 1, To: 65535}

// elbEphemeral is the range Elastic Load Balancing uses for its own
// connections. CloudFront does not document the ports its origin-facing
// servers use, so the model assumes the same range for them.
var elbEphemeral = model.PortRange{From: 1024, To: 65535}

// naclMatch returns the first rule, in rule-number order, that matches a
// packet of proto to port with the given remote address, and whether it
// allows it. No match means the final * rule, which denies.
func naclMatch(rules []*model.NACLRule, proto model.Protocol, port int, remote netip.Addr) (*model.NACLRule, bool) {
	for _, r := range rules {
		if r.CIDR.Addr().Is4() != remote.Is4() || !r.CIDR.Contains(remote) {
			continue
		}
		if r.Protocol != model.AllProtocols && r.Protocol != proto {
			continue
		}
		if r.Protocol.HasPorts() && !r.Ports.Contains(port) {
			continue
		}
		return r, r.Allow
	}
	return nil, false
}

// subnetOf returns the subnet the model places a tier's representative
// interface in: its first subnet, or nil for a tier outside any VPC.
func subnetOf(t *tierInfo) *model.Subnet {
	if t == nil || len(t.Subnets) == 0 {
		return nil
	}
	return t.Subnets[0]
}

// naclStep evaluates one direction of a subnet's network ACL. The remote
// address is the packet's source inbound and its destination outbound.
func naclStep(sn *model.Subnet, dir model.Direction, filter Filter, proto model.Protocol, port int, remote netip.Addr) Step {
	acl := sn.NetworkACL
	st := Step{Filter: filter, Component: "subnet " + sn.Name}
	if acl == nil {
		st.Allowed = true
		st.Component += " default network ACL"
		st.Detail = "the subnet's default network ACL allows all traffic"
		return st
	}
	st.Component += " network ACL " + acl.Name
	st.acl, st.aclDir, st.aclPorts = acl, dir, model.PortRange{From: port, To: port}
	rules := acl.Ingress
	if dir == model.Egress {
		rules = acl.Egress
	}
	r, ok := naclMatch(rules, proto, port, remote)
	st.Allowed = ok
	if r == nil {
		st.Pos = acl.Pos
		st.Reason = ReasonSubnetACL
		st.Detail = fmt.Sprintf("no %s rule of network ACL %s matches %s, so its final * rule denies it", dir, acl.Name, naclPacket(dir, proto, port, remote))
		return st
	}
	st.Rule, st.Pos = describeNACLRule(r), r.Pos
	action := "allows"
	if !ok {
		action = "denies"
		st.Reason = ReasonSubnetACL
	}
	st.Detail = fmt.Sprintf("%s rule %s %s it", dir, st.Rule, action)
	return st
}

// naclPacket describes the packet a network ACL rule is matched against:
// its protocol, the remote address and the destination port.
func naclPacket(dir model.Direction, proto model.Protocol, port int, remote netip.Addr) string {
	peer := "from " + remote.String()
	if dir == model.Egress {
		peer = "to " + remote.String()
	}
	if proto == model.TCP || proto == model.UDP {
		return fmt.Sprintf("%s %s on destination port %d", proto, peer, port)
	}
	return fmt.Sprintf("%s %s", proto, peer)
}

func describeNACLRule(r *model.NACLRule) string {
	action := "deny"
	if r.Allow {
		action = "allow"
	}
	what := r.Protocol.String()
	if r.Protocol == model.TCP || r.Protocol == model.UDP {
		what += " " + r.Ports.String()
	}
	return fmt.Sprintf("%s (#%d %s %s %s)", r.Path, r.Number, action, what, r.CIDR)
}

// naclRequest evaluates the network ACLs a request crosses: out of the
// sender's subnet and into the receiver's, only when the two differ. A
// subnet on the default network ACL, which allows everything, adds no step.
//
// crossing reports a packet that leaves through a gateway and comes back,
// which crosses both network ACLs even within one subnet.
func naclRequest(from, to *model.Subnet, p *Packet, crossing bool) []Step {
	if from == to && !crossing {
		return nil
	}
	var steps []Step
	if aclOf(from) != nil {
		steps = append(steps, naclStep(from, model.Egress, FilterNACLOut, p.Protocol, p.Port, p.Dst))
		if !steps[len(steps)-1].Allowed {
			return steps
		}
	}
	if aclOf(to) != nil {
		steps = append(steps, naclStep(to, model.Ingress, FilterNACLIn, p.Protocol, p.Port, p.Src))
	}
	return steps
}

// naclReply decides whether the reply to p gets back through the network
// ACLs, which are stateless: out of the receiver's subnet and into the
// sender's, to the source port the sender picked from p's source-port range.
// An attacker picks the port that works, so the reply passes when some port
// of the range passes both. Intended traffic comes from an operating system
// that picks any port of its range, so it passes only when every port does,
// because otherwise some of its connections fail. It returns nothing when no network
// ACL lies on the way back.
func naclReply(from, to *model.Subnet, p *Packet, crossing bool) (Step, bool) {
	if (from == to && !crossing) || (aclOf(from) == nil && aclOf(to) == nil) {
		return Step{}, false
	}
	proto, ports, ok := replyPorts(p)
	if !ok {
		return Step{}, false
	}
	st := Step{Filter: FilterNACLReply, Component: "reply to " + p.Src.String()}

	// Every boundary of a rule's port range splits the candidate ports.
	var cuts []model.PortRange
	for _, acl := range []*model.NetworkACL{aclOf(to), aclOf(from)} {
		if acl == nil {
			continue
		}
		for _, r := range append(slices.Clone(acl.Ingress), acl.Egress...) {
			cuts = append(cuts, r.Ports)
		}
	}
	var failed []Step
	var failedPorts []model.PortRange
	var passed []Step
	passedPort := 0
	for _, piece := range splitPorts([]model.PortRange{ports}, cuts) {
		port := piece.From
		var steps []Step
		if aclOf(to) != nil {
			steps = append(steps, naclStep(to, model.Egress, FilterNACLReply, proto, port, p.Src))
		}
		if aclOf(from) != nil && (len(steps) == 0 || steps[0].Allowed) {
			steps = append(steps, naclStep(from, model.Ingress, FilterNACLReply, proto, port, p.Dst))
		}
		if slices.ContainsFunc(steps, func(s Step) bool { return !s.Allowed }) {
			if failed == nil {
				failed = steps
			}
			failedPorts = append(failedPorts, piece)
			continue
		}
		if passed == nil {
			passed, passedPort = steps, port
		}
	}

	switch {
	case passed != nil && (!p.intended || failed == nil):
		st.Allowed = true
		st.Detail = fmt.Sprintf("network ACLs are stateless: the reply to source port %d passes %s", passedPort, stepRules(passed))
		return st, true
	case passed != nil:
		last := failed[len(failed)-1]
		st.Reason, st.Pos, st.Rule = ReasonSubnetACL, last.Pos, last.Rule
		st.acl, st.aclDir, st.aclPorts = last.acl, last.aclDir, ports
		st.Detail = fmt.Sprintf("network ACLs are stateless, and the sender picks its source port from %s, but replies to ports %s are denied, so some connections fail: %s",
			ports, portsList(mergePorts(failedPorts)), last.Detail)
		return st, true
	}
	last := failed[len(failed)-1]
	st.Reason, st.Pos, st.Rule = ReasonSubnetACL, last.Pos, last.Rule
	st.acl, st.aclDir, st.aclPorts = last.acl, last.aclDir, ports
	st.Detail = fmt.Sprintf("network ACLs are stateless and no source port in %s gets the reply back: %s", ports, last.Detail)
	return st, true
}

func portsList(rs []model.PortRange) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += ", "
		}
		out += r.String()
	}
	return out
}

func aclOf(sn *model.Subnet) *model.NetworkACL {
	if sn == nil {
		return nil
	}
	return sn.NetworkACL
}

// replyPorts returns the protocol and the destination ports of the replies
// to p: the sender's source ports for TCP and UDP, echo reply for an echo
// request, and nothing for other ICMP messages, which get no reply.
func replyPorts(p *Packet) (model.Protocol, model.PortRange, bool) {
	switch p.Protocol {
	case model.TCP, model.UDP:
		ports := p.srcPorts
		if ports == (model.PortRange{}) {
			ports = anySourcePort
		}
		return p.Protocol, ports, true
	case model.ICMP:
		if p.Port/256 == 8 {
			return model.ICMP, model.PortRange{From: 0, To: 0}, true
		}
		return 0, model.PortRange{}, false
	case model.ICMPv6:
		if p.Port/256 == 128 {
			return model.ICMPv6, model.PortRange{From: 129 * 256, To: 129 * 256}, true
		}
		return 0, model.PortRange{}, false
	}
	return p.Protocol, model.PortRange{}, true
}

func stepRules(steps []Step) string {
	out := ""
	for i, s := range steps {
		if i > 0 {
			out += " and "
		}
		if s.Rule != "" {
			out += s.Rule
		} else {
			out += s.Component
		}
	}
	return out
}
