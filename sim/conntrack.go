package sim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// TrackingState is a security group's handling of a flow: by connection
// state, or by its rules alone.
type TrackingState string

// Tracking states, as AWS's "Amazon EC2 security group connection tracking"
// page names them.
const (
	// Tracked flows are remembered by connection state, so replies pass
	// whatever the rules admit, and a rule change spares established
	// connections until they go idle.
	Tracked TrackingState = "tracked"
	// Untracked flows are admitted by the rules in both directions, packet
	// by packet, so a rule change cuts them at once.
	Untracked TrackingState = "untracked"
	// AutoTracked flows pass a component whose connections AWS always
	// tracks, whatever the rules.
	AutoTracked TrackingState = "automatically tracked"
)

// Tracking is the connection tracking of one hop on each of its ends.
type Tracking struct {
	// Sender is the tracking on the sender's network interfaces. It is nil
	// when no security group filters the sender, such as a host on the
	// internet or a CloudFront distribution.
	Sender *InterfaceTracking
	// Receiver is the tracking on the receiver's network interfaces; nil
	// when no security group filters the receiver.
	Receiver *InterfaceTracking
}

// InterfaceTracking is the connection tracking of a flow on the network
// interfaces of one tier.
type InterfaceTracking struct {
	Tier  string
	State TrackingState
	// Component names what makes AWS track the flow whatever the rules,
	// such as "Network Load Balancer nlb"; empty unless State is
	// AutoTracked.
	Component string
	// Reason is the rule or fact that decides State, as a clause.
	Reason string
	// Timeout is the idle timeout of the tracked connection; nil when the
	// flow is untracked.
	Timeout *IdleTimeout
}

// IdleTimeout is how long a tracked connection lasts without traffic
// before its state is dropped.
type IdleTimeout struct {
	// Seconds is the timeout that applies by default, or 0 when AWS's
	// connection-tracking page gives no value.
	Seconds int
	// Kind names the timeout, such as "TCP established" or "UDP".
	Kind string
	// Note states what else AWS documents for the timeout, such as the
	// value on other instance types; empty when there is nothing more.
	Note string
}

// Idle timeouts from AWS's connection-tracking documentation, in seconds.
const (
	// TCPEstablishedTimeout is the default for an established TCP
	// connection: 5 days.
	TCPEstablishedTimeout = 432000
	// NitroV6TCPTimeout is the TCP established default on Nitro v6
	// instance types.
	NitroV6TCPTimeout = 350
	// UDPTimeout is the default for a UDP flow seen in one direction or in
	// one request-response transaction.
	UDPTimeout = 30
	// UDPStreamTimeout is the default for a UDP flow with more than one
	// request-response transaction.
	UDPStreamTimeout = 180
	// OtherProtocolTimeout is the window in which a packet of a protocol
	// other than TCP, UDP and ICMP from the same peer counts as a reply.
	OtherProtocolTimeout = 600
	// NLBTCPTimeout and NLBUDPTimeout apply to flows through a Network
	// Load Balancer.
	NLBTCPTimeout = 350
	NLBUDPTimeout = 120
)

// trackHops sets the connection tracking of every hop whose packet passed
// the security groups and network ACLs. That includes a hop whose listener
// then returned an error response, because the connection was accepted.
func (n *Network) trackHops(hops []Hop) {
	for i := range hops {
		hops[i].Tracking = n.hopTracking(&hops[i])
	}
}

// hopTracking returns the connection tracking on both ends of h, or nil
// when a security group, network ACL or address check dropped h's packet.
func (n *Network) hopTracking(h *Hop) *Tracking {
	if !networkAdmitted(h) {
		return nil
	}
	from, to := n.senderTier(h.From), n.tiers[h.To]
	return &Tracking{
		Sender:   interfaceTracking(from, to, model.Egress, &h.Packet),
		Receiver: interfaceTracking(to, from, model.Ingress, &h.Packet),
	}
}

// networkAdmitted reports whether the packet of h passed every network
// filter of the hop: security groups, network ACLs and the check that the
// receiver can be addressed at all.
func networkAdmitted(h *Hop) bool {
	if len(h.Steps) == 0 {
		return h.Delivered
	}
	return !slices.ContainsFunc(h.Steps, func(st Step) bool { return !st.Allowed && isNetworkFilter(st.Filter) })
}

func isNetworkFilter(f Filter) bool {
	switch f {
	case FilterEgress, FilterIngress, FilterNACLOut, FilterNACLIn, FilterNACLReply, FilterRoute:
		return true
	}
	return false
}

// interfaceTracking decides how the security groups of self track p, which
// self sends to peer (dir Egress) or receives from peer (dir Ingress). It
// returns nil when self is nil or has no security group and no component
// that always tracks.
func interfaceTracking(self, peer *tierInfo, dir model.Direction, p *Packet) *InterfaceTracking {
	if self == nil {
		return nil
	}
	d := decideTracking(self, peer, dir, p)
	if d.state == "" {
		return nil
	}
	out := &InterfaceTracking{Tier: self.Name, State: d.state, Component: d.component, Reason: d.reason}
	if d.state == AutoTracked {
		out.Timeout = autoTimeout(self, peer, p.Protocol)
		return out
	}
	if d.state == Tracked {
		out.Timeout = trackedTimeout(p.Protocol)
	}
	switch {
	case p.Protocol == model.ICMP || p.Protocol == model.ICMPv6:
		out.Reason = "ICMP is always tracked"
		return out
	case p.Protocol != model.TCP && p.Protocol != model.UDP:
		out.Reason = fmt.Sprintf("protocol %s is tracked by address pair and protocol number", p.Protocol)
		return out
	}

	opposite := model.Egress
	if dir == model.Egress {
		opposite = model.Ingress
	}
	all := "0.0.0.0/0"
	if d.ipv6 {
		all = "::/0"
	}
	switch {
	case d.open == nil:
		out.Reason = fmt.Sprintf("no %s rule admits it %s %s", dir, peerWord(dir), all)
	case d.reply == nil:
		out.Reason = fmt.Sprintf("%s rule %s admits it %s all addresses, but no %s rule admits all replies on all ports %s %s",
			dir, describeRule(d.open.Rule), peerWord(dir), opposite, peerWord(opposite), all)
	default:
		out.Reason = fmt.Sprintf("%s rule %s admits it %s all addresses and %s rule %s admits all replies",
			dir, describeRule(d.open.Rule), peerWord(dir), opposite, describeRule(d.reply.Rule))
	}
	return out
}

// trackingDecision is one end's tracking of a flow, before any sentence
// about it is built. state is empty when the end has no security group and
// no component tracks the flow.
type trackingDecision struct {
	state     TrackingState
	component string // the component that always tracks, when AutoTracked
	reason    string // the cause of automatic tracking, when AutoTracked
	// open and reply are the rules that make a TCP or UDP flow untracked:
	// one that admits it from or to all addresses, and one the other way
	// that admits all replies. Either is nil when no rule does.
	open, reply *rule
	ipv6        bool // the remote end's address family
}

// decideTracking decides how the security groups of self track p, which
// self sends to peer (dir Egress) or receives from peer (dir Ingress).
// deliver calls it for every packet, so it builds no strings.
func decideTracking(self, peer *tierInfo, dir model.Direction, p *Packet) trackingDecision {
	var d trackingDecision
	var ok bool
	if d.component, d.reason, ok = autoTracker(self, peer, dir); ok {
		d.state = AutoTracked
		return d
	}
	if d.component, d.reason, ok = routeTracker(self, dir, p); ok {
		d.state = AutoTracked
		return d
	}
	switch {
	case len(self.SecurityGroups) == 0:
		return d
	case p.Protocol != model.TCP && p.Protocol != model.UDP:
		d.state = Tracked
		return d
	}

	remote, rules, replies := p.Src, self.ingress, self.egress
	if dir == model.Egress {
		remote, rules, replies = p.Dst, self.egress, self.ingress
	}
	d.ipv6 = remote.Is6()
	d.state = Tracked
	if i := slices.IndexFunc(rules, func(r *rule) bool { return openToAll(r) && matchRule(r, p) }); i >= 0 {
		d.open = rules[i]
	} else {
		return d
	}
	if i := slices.IndexFunc(replies, func(r *rule) bool { return admitsAllReplies(r, p.Protocol, d.ipv6) }); i >= 0 {
		d.reply = replies[i]
		d.state = Untracked
	}
	return d
}

// peerWord is the preposition that joins a rule of direction dir to its
// peer.
func peerWord(dir model.Direction) string {
	if dir == model.Egress {
		return "to"
	}
	return "from"
}

// openToAll reports whether r's peer is every address of one family,
// 0.0.0.0/0 or ::/0.
func openToAll(r *rule) bool {
	return r.Peer.Kind == model.PeerCIDR && r.Peer.CIDR.Bits() == 0
}

// admitsAllReplies reports whether r admits every reply of protocol proto
// from or to all addresses of the family: a rule for all protocols, or for
// proto on all ports 0-65535.
func admitsAllReplies(r *rule, proto model.Protocol, ipv6 bool) bool {
	if !openToAll(r) || r.Peer.CIDR.Addr().Is6() != ipv6 {
		return false
	}
	return r.Protocol == model.AllProtocols || (r.Protocol == proto && r.Ports.IsAll())
}

// autoTracker returns the component that makes AWS track self's flow with
// peer whatever the rules, with the reason as a clause. Of the components
// AWS lists as always tracked, Network Load Balancers and Lambda Hyperplane
// network interfaces are tiers, and routeTracker finds NAT gateways,
// egress-only internet gateways and transit gateway attachments.
//
// PrivateLink interface endpoints are tiers too, and routeTracker finds
// DynamoDB gateway endpoints. Gateway Load Balancers, Global Accelerator and
// Network Firewall endpoints are not in the model.
func autoTracker(self, peer *tierInfo, dir model.Direction) (component, reason string, ok bool) {
	switch {
	case self.Kind == model.KindNLB:
		return "Network Load Balancer " + self.Name, "AWS always tracks connections through a Network Load Balancer", true
	case peer != nil && peer.Kind == model.KindNLB && self.Kind == model.KindALB && dir == model.Ingress:
		return "Network Load Balancer " + peer.Name, "an Application Load Balancer's security groups always track connections that come from a Network Load Balancer", true
	case peer != nil && peer.Kind == model.KindNLB:
		return "Network Load Balancer " + peer.Name, "AWS always tracks connections through a Network Load Balancer", true
	case self.Kind == model.KindInterfaceEndpoint:
		return "interface VPC endpoint " + self.Name, "AWS always tracks connections through a PrivateLink interface endpoint", true
	case peer != nil && peer.Kind == model.KindInterfaceEndpoint:
		return "interface VPC endpoint " + peer.Name, "AWS always tracks connections through a PrivateLink interface endpoint", true
	case self.Kind == model.KindLambda:
		return "Lambda Hyperplane network interface of " + self.Name, "AWS always tracks connections of a Lambda function's Hyperplane network interfaces", true
	}
	return "", "", false
}

// routeTracker returns the gateway on the route between self and the
// packet's remote end whose connections AWS always tracks. That is a NAT
// gateway, egress-only internet gateway or DynamoDB gateway endpoint that
// carries what self sends, or a transit gateway attachment either way.
func routeTracker(self *tierInfo, dir model.Direction, p *Packet) (component, reason string, ok bool) {
	sn := subnetOf(self)
	remote := p.Src
	if dir == model.Egress {
		remote = p.Dst
	}
	if sn == nil || !remote.IsValid() {
		return "", "", false
	}
	hit := lookupRoute(sn, remote)
	switch {
	case hit.target == model.TargetNATGateway && dir == model.Egress && hit.route.NATGateway != nil:
		return "NAT gateway " + hit.route.NATGateway.Name, "AWS always tracks connections through a NAT gateway", true
	case hit.target == model.TargetEgressOnly && dir == model.Egress:
		return "egress-only internet gateway", "AWS always tracks connections through an egress-only internet gateway", true
	case hit.target == model.TargetTransitGateway && hit.route.TransitGateway != nil:
		return "transit gateway " + hit.route.TransitGateway.Name, "AWS always tracks connections through a transit gateway attachment", true
	case hit.target == model.TargetGatewayEndpoint && dir == model.Egress && isDynamoDBEndpoint(hit.route.GatewayEndpoint):
		return "gateway endpoint " + hit.route.GatewayEndpoint.Name, "AWS always tracks connections through a DynamoDB gateway endpoint", true
	}
	return "", "", false
}

// isDynamoDBEndpoint reports whether g is a gateway endpoint for DynamoDB,
// whose connections AWS always tracks; those of an S3 one follow the rules.
func isDynamoDBEndpoint(g *model.GatewayEndpoint) bool {
	return g != nil && g.PrefixList != nil && strings.HasSuffix(g.PrefixList.AWSManaged, ".dynamodb")
}

// autoTimeout returns the idle timeout of a flow that a component always
// tracks: the Network Load Balancer's own for a flow through one.
func autoTimeout(self, peer *tierInfo, proto model.Protocol) *IdleTimeout {
	throughNLB := self.Kind == model.KindNLB || (peer != nil && peer.Kind == model.KindNLB)
	switch {
	case throughNLB && proto == model.TCP:
		return &IdleTimeout{Seconds: NLBTCPTimeout, Kind: "TCP through a Network Load Balancer"}
	case throughNLB && proto == model.UDP:
		return &IdleTimeout{Seconds: NLBUDPTimeout, Kind: "UDP through a Network Load Balancer"}
	case self.Kind == model.KindLambda:
		// NOTE: the connection-tracking page gives no idle timeout for
		// Lambda Hyperplane network interfaces, so none is claimed.
		return &IdleTimeout{Kind: "Lambda Hyperplane network interface", Note: "AWS's connection-tracking page gives no idle timeout for it"}
	}
	return trackedTimeout(proto)
}

// trackedTimeout returns the default idle timeout of a tracked flow of
// protocol proto on an instance's network interface.
func trackedTimeout(proto model.Protocol) *IdleTimeout {
	switch proto {
	case model.TCP:
		return &IdleTimeout{Seconds: TCPEstablishedTimeout, Kind: "TCP established",
			Note: fmt.Sprintf("%d s on Nitro v6 instance types", NitroV6TCPTimeout)}
	case model.UDP:
		return &IdleTimeout{Seconds: UDPTimeout, Kind: "UDP",
			Note: fmt.Sprintf("%d s once the flow is a stream of more than one request-response transaction", UDPStreamTimeout)}
	case model.ICMP, model.ICMPv6:
		return &IdleTimeout{Kind: "ICMP", Note: "AWS's connection-tracking page gives no idle timeout for ICMP"}
	}
	return &IdleTimeout{Seconds: OtherProtocolTimeout, Kind: "other protocol",
		Note: "a packet of the same protocol from the peer within this time counts as a reply"}
}
