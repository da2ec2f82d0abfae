// Package model holds the typed form of an sgchain scenario and loads it from
// YAML with positioned diagnostics.
//
// A Scenario returned by Load is fully resolved: every reference by name (a
// security group in a rule, a subnet of a tier, a tier in the chain) points at
// the object it names, so the simulator never looks a name up again.
package model

import (
	"net/netip"
	"strconv"
)

// Scenario is one architecture under review: its network, its tiers, the chain
// the tiers are meant to form, and the attackers to check it against.
type Scenario struct {
	Name        string
	Description string
	File        string

	VPCs           []*VPC
	PrefixLists    []*PrefixList
	SecurityGroups []*SecurityGroup
	NetworkACLs    []*NetworkACL
	// Peerings and TransitGateways connect VPCs of the scenario.
	Peerings        []*Peering
	TransitGateways []*TransitGateway
	Tiers           []*Tier
	Chain           []*Stage
	Attackers       []*Attacker
	// Expect holds the verdicts the scenario asserts about itself, or nil
	// when the file has no expect section.
	Expect *Expectations

	// Pos is the position of the document's top-level mapping.
	Pos Pos
}

// Pos is a position in a scenario file. Line and Column are 1-based; the zero
// value means the position is unknown.
type Pos struct {
	File   string
	Line   int
	Column int
}

// IsValid reports whether p names a line in a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

// VPC is a virtual private cloud with its address ranges and subnets.
type VPC struct {
	Name     string
	CIDR     netip.Prefix
	IPv6CIDR netip.Prefix // zero when the VPC has no IPv6 block
	// Region is the AWS Region, or empty when the scenario omits it. A VPC
	// without a Region counts as being in the same Region as every other.
	Region      string
	Subnets     []*Subnet
	RouteTables []*RouteTable
	NATGateways []*NATGateway
	// GatewayEndpoints are the VPC's gateway endpoints, whose routes the
	// loader adds to the route tables they name.
	GatewayEndpoints []*GatewayEndpoint
	// MainRouteTable is the table of subnets that name none, or nil for a
	// main route table with only the local routes.
	MainRouteTable *RouteTable
	Pos            Pos
}

// Subnet is a subnet of a VPC.
type Subnet struct {
	Name     string
	VPC      *VPC
	CIDR     netip.Prefix
	IPv6CIDR netip.Prefix // zero when the subnet has no IPv6 block
	// Public reports whether the subnet's route table sends 0.0.0.0/0 to an
	// internet gateway.
	Public bool
	// RouteTable is the subnet's route table: the one it names, the implicit
	// one of public: true, or the VPC's main route table. It is nil when the
	// subnet has only the local routes.
	RouteTable *RouteTable
	// NetworkACL is the subnet's network ACL, or nil for the VPC's default
	// network ACL, which allows all traffic in both directions.
	NetworkACL *NetworkACL
	Pos        Pos
}

// PrefixList is a customer-managed or AWS-managed prefix list.
type PrefixList struct {
	Name string
	// AWSManaged is the AWS name of a managed list, such as
	// com.amazonaws.global.cloudfront.origin-facing, or empty for a
	// customer-managed list.
	AWSManaged string
	Family     Family
	Entries    []netip.Prefix
	// StandIn reports whether Entries are the documented stand-in block for an
	// AWS-managed list rather than entries the scenario gave.
	StandIn bool
	// MaxEntries is the declared size of a customer-managed list.
	MaxEntries int
	// Weight is what one rule referencing the list counts against the
	// rules-per-security-group quota: MaxEntries for a customer-managed list,
	// the published weight for an AWS-managed one.
	Weight int
	// SharedPool reports whether the list's addresses are shared by every
	// customer of an AWS service, so that any AWS account can originate traffic
	// from them. The CloudFront origin-facing lists are such pools.
	SharedPool bool
	Pos        Pos
}

// Family is an IP address family.
type Family int

// Address families.
const (
	IPv4 Family = 4
	IPv6 Family = 6
)

func (f Family) String() string {
	switch f {
	case IPv4:
		return "ipv4"
	case IPv6:
		return "ipv6"
	}
	return "unknown"
}

// SecurityGroup is a VPC security group.
type SecurityGroup struct {
	Name        string
	VPC         *VPC
	Description string
	Ingress     []*Rule
	Egress      []*Rule
	// EgressDefault reports whether the egress rules are AWS's creation
	// default (written "aws-default" in the scenario) rather than a list.
	EgressDefault bool
	Pos           Pos
}

// Direction is the direction of a rule: inbound or outbound.
type Direction int

// Rule directions.
const (
	Ingress Direction = iota
	Egress
)

func (d Direction) String() string {
	if d == Egress {
		return "egress"
	}
	return "ingress"
}

// Rule is one security-group rule: an allow for a protocol and port range to
// or from one peer.
type Rule struct {
	Group     *SecurityGroup
	Direction Direction
	Index     int // position in its list, from 0
	Protocol  Protocol
	// Ports is the port range for tcp and udp, or the ICMP type and code range
	// encoded as type*256+code for icmp and icmpv6. For other protocols it is
	// the full range, because AWS ignores ports there.
	Ports       PortRange
	Peer        Peer
	Description string
	// Path is the rule's key path, such as security_groups.alb.ingress[0].
	Path string
	Pos  Pos
}

// Protocol is an IP protocol number, or AllProtocols.
type Protocol int

// Protocol numbers with names in the scenario format.
const (
	AllProtocols Protocol = -1
	ICMP         Protocol = 1
	TCP          Protocol = 6
	UDP          Protocol = 17
	ICMPv6       Protocol = 58
)

func (p Protocol) String() string {
	switch p {
	case AllProtocols:
		return "all"
	case ICMP:
		return "icmp"
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	case ICMPv6:
		return "icmpv6"
	}
	return itoa(int(p))
}

// HasPorts reports whether rules for p select ports (tcp, udp) or ICMP types
// and codes (icmp, icmpv6). AWS ignores the port range of every other protocol.
func (p Protocol) HasPorts() bool {
	return p == TCP || p == UDP || p == ICMP || p == ICMPv6
}

// PortRange is an inclusive range of ports, or of ICMP type*256+code values.
type PortRange struct {
	From, To int
}

// AllPorts is the full 16-bit range.
var AllPorts = PortRange{0, 65535}

// Contains reports whether port lies in r.
func (r PortRange) Contains(port int) bool { return r.From <= port && port <= r.To }

// IsAll reports whether r is the full 16-bit range.
func (r PortRange) IsAll() bool { return r == AllPorts }

func (r PortRange) String() string {
	switch {
	case r.IsAll():
		return "all"
	case r.From == r.To:
		return itoa(r.From)
	}
	return itoa(r.From) + "-" + itoa(r.To)
}

// PeerKind is the kind of a rule's peer.
type PeerKind int

// Peer kinds. A self reference is stored as PeerSecurityGroup naming the
// rule's own group, with Self set.
const (
	PeerCIDR PeerKind = iota
	PeerSecurityGroup
	PeerPrefixList
)

// Peer is the other end of a rule: a CIDR, a security group (matched on the
// identity a packet carries) or a prefix list (matched on address).
type Peer struct {
	Kind          PeerKind
	CIDR          netip.Prefix
	SecurityGroup *SecurityGroup
	PrefixList    *PrefixList
	Self          bool
}

func (p Peer) String() string {
	switch p.Kind {
	case PeerSecurityGroup:
		if p.Self {
			return "self (security group " + p.SecurityGroup.Name + ")"
		}
		return "security group " + p.SecurityGroup.Name
	case PeerPrefixList:
		return "prefix list " + p.PrefixList.Name
	}
	return p.CIDR.String()
}

func itoa(n int) string { return strconv.Itoa(n) }
