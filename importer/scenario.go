package importer

import (
	"github.com/sgchain/sgchain/model"
)

// Scenario is an imported scenario, ready to be written as YAML. Its fields
// follow the scenario format (docs/scenario-format.md) key by key, with the
// comments that tell the reviewer where each object came from and which
// parts the importer proposed.
type Scenario struct {
	Name        string
	Description string
	// Header holds comment lines written before the first key.
	Header   []string
	Warnings []Warning

	VPCs            []*VPCOut
	Peerings        []*PeeringOut
	TransitGateways []*TransitGatewayOut
	PrefixLists     []*PrefixListOut
	NetworkACLs     []*NetworkACLOut
	Groups          []*GroupOut
	Tiers           []*TierOut
	// Chain lists the stages, each a list of tier names.
	Chain        [][]string
	ChainComment []string
	Attackers    []*AttackerOut
}

// VPCOut is a VPC of the scenario.
type VPCOut struct {
	Name     string
	CIDR     string
	IPv6CIDR string
	Region   string
	Comment  []string
	Subnets  []*SubnetOut

	NATGateways      []*NATGatewayOut
	GatewayEndpoints []*GatewayEndpointOut
	RouteTables      []*RouteTableOut
	// MainRouteTable names the table of subnets that name none, or is
	// empty when those subnets have only the local routes.
	MainRouteTable string
}

// SubnetOut is a subnet of the scenario.
type SubnetOut struct {
	Name     string
	CIDR     string
	IPv6CIDR string
	// Public writes public: true, the shorthand for a table whose only
	// routes send 0.0.0.0/0 (and ::/0 for a subnet with an IPv6 block) to
	// the internet gateway. RouteTable is empty then.
	Public     bool
	RouteTable string
	// NetworkACL names the subnet's network ACL, or is empty for the VPC's
	// default network ACL.
	NetworkACL string
	Comment    string
}

// RouteTableOut is a route table of the scenario.
type RouteTableOut struct {
	Name    string
	Comment []string
	Routes  []*RouteOut
}

// RouteOut is one route: a destination CIDR or prefix list, and a target
// key with its value, such as nat_gateway and a NAT gateway's name.
type RouteOut struct {
	Destination string
	PrefixList  string
	TargetKey   string
	Target      string
	Comment     string
}

// NATGatewayOut is a NAT gateway of the scenario.
type NATGatewayOut struct {
	Name      string
	Subnet    string
	Private   bool
	ElasticIP string
	Comment   string
}

// GatewayEndpointOut is a gateway VPC endpoint of the scenario.
type GatewayEndpointOut struct {
	Name        string
	PrefixList  string
	RouteTables []string
	Comment     string
}

// PeeringOut is a VPC peering connection of the scenario.
type PeeringOut struct {
	Name    string
	VPCs    [2]string
	Comment string
}

// TransitGatewayOut is a transit gateway of the scenario.
type TransitGatewayOut struct {
	Name                     string
	SecurityGroupReferencing bool
	Comment                  []string
	Attachments              []*AttachmentOut
}

// AttachmentOut attaches a VPC to a transit gateway.
type AttachmentOut struct {
	VPC string
	// NoReferencing writes security_group_referencing: false. The
	// format's default for an attachment is true.
	NoReferencing bool
	Comment       string
}

// PrefixListOut is a prefix list of the scenario.
type PrefixListOut struct {
	Name       string
	AWSManaged string
	Family     string
	MaxEntries int
	Entries    []string
	Comment    []string
}

// GroupOut is a security group of the scenario.
type GroupOut struct {
	Name        string
	VPC         string // written only when the scenario has several VPCs
	Description string
	Comment     []string
	Ingress     []*RuleOut
	Egress      []*RuleOut
	// EgressWord is "aws-default" or "none" when the egress rules are
	// written as a word instead of the Egress list.
	EgressWord string
}

// RuleOut is a security-group rule of the scenario.
type RuleOut struct {
	Protocol string
	// Ports is the ports value for tcp and udp: a port, "N-M" or "all".
	Ports string
	// ICMPType and ICMPCode are set for icmp and icmpv6 rules that select
	// messages.
	ICMPType, ICMPCode string
	// PeerKey is cidr, security_group, prefix_list or self.
	PeerKey     string
	Peer        string
	Description string
	Comment     string
}

// TierOut is a tier of the scenario.
type TierOut struct {
	Name    string
	Kind    model.Kind
	Comment []string

	Scheme string
	// IPAddressType is "dualstack" for a dual-stack load balancer, or
	// empty.
	IPAddressType string
	// Service is the service name of an interface endpoint.
	Service string
	Subnets []string
	Groups  []string
	// GroupsEmpty writes security_groups: [] for an NLB without groups.
	GroupsEmpty bool
	PublicIP    bool
	IPv6        bool
	PrivateIP   string

	Listeners  []*ListenerOut
	WAF        *WAFOut
	Origins    []*OriginOut
	ConnectsTo []*ConnectionOut
}

// ListenerOut is a load-balancer listener of the scenario.
type ListenerOut struct {
	Port     int
	Protocol string
	Comment  []string
	Rules    []*RuleALBOut
	Default  *ActionOut // ALB
	Forward  *TargetOut // NLB
}

// RuleALBOut is an ALB listener rule of the scenario.
type RuleALBOut struct {
	Priority   int
	Comment    []string
	Conditions []*ConditionOut
	Action     *ActionOut
}

// ConditionOut is an ALB rule condition: a header match or source CIDRs.
type ConditionOut struct {
	HeaderName   string
	HeaderValues []string
	SourceIPs    []string
}

// ActionOut is an ALB action: a fixed response or a forward.
type ActionOut struct {
	FixedStatus int
	Forward     []*TargetOut
	Comment     []string
}

// TargetOut is a target group of a forward action.
type TargetOut struct {
	Tier             string
	Port             int
	TargetType       string
	PreserveClientIP *bool
	HealthCheckPort  int
	Comment          string
}

// WAFOut is a web ACL of a CloudFront tier.
type WAFOut struct {
	Name          string
	DefaultAction string
	ManagedGroups []string
	Rules         []*WAFRule
	Comment       []string
}

// OriginOut is a CloudFront origin of the scenario.
type OriginOut struct {
	Name           string
	Tier           string
	ProtocolPolicy string
	HTTPPort       int
	HTTPSPort      int
	Headers        []*HeaderOut
	Comment        []string
}

// HeaderOut is an origin custom header. Value is never a real secret: the
// importer writes a reference in its place.
type HeaderOut struct {
	Name   string
	Value  string
	Secret bool
}

// ConnectionOut is a connects_to entry.
type ConnectionOut struct {
	Tier     string
	Protocol string
	Port     int
	Comment  string
}

// AttackerOut is an attacker of the scenario.
type AttackerOut struct {
	Name    string
	Kind    model.AttackerKind
	Tier    string
	CIDRs   []string
	Comment []string
}
