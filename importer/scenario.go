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

	VPCs        []*VPCOut
	PrefixLists []*PrefixListOut
	NetworkACLs []*NetworkACLOut
	Groups      []*GroupOut
	Tiers       []*TierOut
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
	Comment  []string
	Subnets  []*SubnetOut
}

// SubnetOut is a subnet of the scenario.
type SubnetOut struct {
	Name     string
	CIDR     string
	IPv6CIDR string
	Public   bool
	// NetworkACL names the subnet's network ACL, or is empty for the VPC's
	// default network ACL.
	NetworkACL string
	Comment    string
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

	Scheme  string
	Subnets []string
	Groups  []string
	// GroupsEmpty writes security_groups: [] for an NLB without groups.
	GroupsEmpty bool
	PublicIP    bool
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
