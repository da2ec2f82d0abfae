package model

import "net/netip"

// Kind is the kind of a tier. Kinds differ in how they forward traffic.
type Kind string

// Tier kinds.
const (
	KindCloudFront  Kind = "cloudfront"
	KindALB         Kind = "alb"
	KindNLB         Kind = "nlb"
	KindECS         Kind = "ecs"
	KindEC2         Kind = "ec2"
	KindEKS         Kind = "eks"
	KindLambda      Kind = "lambda"
	KindRDS         Kind = "rds"
	KindElastiCache Kind = "elasticache"
	// KindInterfaceEndpoint is an interface VPC endpoint (PrivateLink): an
	// interface with security groups that receives connections for an AWS
	// or partner service and opens none into the VPC.
	KindInterfaceEndpoint Kind = "interface_endpoint"
	// KindAWSService is an AWS service reached at public addresses, such as
	// S3 or DynamoDB, directly or through a gateway VPC endpoint. It has no
	// security group and no address in the VPC.
	KindAWSService Kind = "aws_service"
)

// Kinds lists every tier kind in the order the documentation gives them.
var Kinds = []Kind{KindCloudFront, KindALB, KindNLB, KindECS, KindEC2, KindEKS, KindLambda, KindRDS, KindElastiCache, KindInterfaceEndpoint, KindAWSService}

// IsLoadBalancer reports whether k is an Elastic Load Balancing kind.
func (k Kind) IsLoadBalancer() bool { return k == KindALB || k == KindNLB }

// IsEndpoint reports whether k is a compute or data-store kind: a tier that
// receives traffic and may open connections of its own, but forwards nothing.
func (k Kind) IsEndpoint() bool {
	switch k {
	case KindECS, KindEC2, KindEKS, KindLambda, KindRDS, KindElastiCache:
		return true
	}
	return false
}

// Tier is a named component of the architecture: one CloudFront distribution,
// one load balancer, or the set of interfaces of one service that share
// security groups and a subnet placement.
type Tier struct {
	Name string
	Kind Kind

	// Network placement, for every kind but cloudfront.
	Subnets        []*Subnet
	SecurityGroups []*SecurityGroup
	// PublicIP reports whether the tier's interfaces have a public IPv4 or
	// Elastic IP address. For a load balancer it is true when the scheme is
	// internet-facing.
	PublicIP bool
	// PrivateIP is the address the simulator gives the tier's representative
	// interface. The loader picks one in the first subnet unless the scenario
	// sets it.
	PrivateIP netip.Addr
	// PublicAddr is the representative public address when PublicIP is set.
	PublicAddr netip.Addr
	// IPv6 reports whether the tier's interfaces have IPv6 addresses: ipv6:
	// true on a compute tier, or a dual-stack load balancer. IPv6 addresses
	// are globally routable, so an internet route for ::/0 reaches them.
	IPv6 bool
	// IPv6Addr is the representative IPv6 address when IPv6 is set.
	IPv6Addr netip.Addr
	// EphemeralPorts is the range the tier's interfaces pick source ports
	// from when they open a connection, which network ACLs must admit for
	// the replies. The loader sets AWS's documented range for the kind
	// unless the scenario sets it.
	EphemeralPorts PortRange

	// Service is the service name of an interface endpoint or AWS
	// service, such as com.amazonaws.us-east-1.s3, as the scenario writes it.
	Service string
	// ServiceList is the prefix list of an aws_service tier's addresses.
	ServiceList *PrefixList

	CloudFront *CloudFront   // kind cloudfront
	Listeners  []*Listener   // kinds alb and nlb
	ConnectsTo []*Connection // compute kinds: the connections the tier opens

	Path string // key path, such as tiers.alb
	Pos  Pos
}

// CloudFront is a distribution's behavior towards its origins.
type CloudFront struct {
	WAF     *WAF // nil when no web ACL is attached
	Origins []*Origin
}

// WAF is an AWS WAF web ACL attached to a CloudFront distribution.
type WAF struct {
	Name string
	// DefaultAction is applied when no rule terminates: "allow" or "block".
	DefaultAction string
	// Rules are in ascending priority order, the order WAF evaluates them.
	Rules []*WAFRule
	// ManagedRuleGroups are names of AWS managed rule groups. They inspect
	// request content that the packet model does not represent, so the
	// simulator lists them but lets a well-formed request through them.
	ManagedRuleGroups []string
	Pos               Pos
}

// WAFRule is one rule of a web ACL, matching on the viewer's address or on a
// header.
type WAFRule struct {
	Name     string
	Priority int
	Action   string // "allow", "block" or "count"
	// SourceCIDRs, when set, matches the viewer's address.
	SourceCIDRs []netip.Prefix
	// Header, when set, matches a request header.
	Header *HeaderMatch
	Path   string
	Pos    Pos
}

// Origin is one origin of a CloudFront distribution.
type Origin struct {
	Name string
	Tier *Tier
	// ProtocolPolicy is "http-only", "https-only" or "match-viewer".
	ProtocolPolicy string
	HTTPPort       int
	HTTPSPort      int
	CustomHeaders  []*CustomHeader
	Path           string
	Pos            Pos
}

// Ports returns the destination ports CloudFront uses towards the origin
// under its protocol policy.
func (o *Origin) Ports() []int {
	switch o.ProtocolPolicy {
	case "http-only":
		return []int{o.HTTPPort}
	case "https-only":
		return []int{o.HTTPSPort}
	}
	if o.HTTPPort == o.HTTPSPort {
		return []int{o.HTTPPort}
	}
	return []int{o.HTTPPort, o.HTTPSPort}
}

// CustomHeader is an origin custom header that CloudFront adds to every
// request it sends to the origin.
type CustomHeader struct {
	Name string
	// Value is the header's value. A secret value must never be printed.
	Value  string
	Secret bool
	Pos    Pos
}

// Listener is a load-balancer listener.
type Listener struct {
	Port int
	// Protocol is HTTP or HTTPS for an ALB, and TCP, UDP, TLS or TCP_UDP for
	// an NLB.
	Protocol string
	// Rules are the ALB listener rules in ascending priority order.
	Rules []*ListenerRule
	// Default is the action of the ALB listener's default rule, or the NLB
	// listener's forward action.
	Default *Action
	Path    string
	Pos     Pos
}

// ListenerRule is one ALB listener rule. All its conditions must hold.
type ListenerRule struct {
	Priority   int
	Conditions []*Condition
	Action     *Action
	Path       string
	Pos        Pos
}

// Condition is one ALB rule condition.
type Condition struct {
	// Header is set for an http-header condition.
	Header *HeaderMatch
	// SourceIPs is set for a source-ip condition. It matches the TCP peer
	// address the ALB sees.
	SourceIPs []netip.Prefix
	Path      string
	Pos       Pos
}

// HeaderMatch is an http-header condition: the named header must be present
// with a value that matches one of Values. Names and values match without
// regard to case; values may use the wildcards * and ?.
type HeaderMatch struct {
	Name   string
	Values []string
}

// Action is a listener's action on a request: a forward or a fixed
// response.
type Action struct {
	// Forward lists the target groups of a forward action; nil for a
	// fixed response.
	Forward []*Target
	// FixedStatus is the status code of a fixed-response action.
	FixedStatus int
	Path        string
	Pos         Pos
}

// IsForward reports whether a forwards the request to targets.
func (a *Action) IsForward() bool { return a != nil && len(a.Forward) > 0 }

// Target is a target group of a forward action: the tier whose interfaces are
// registered and the port they are reached on.
type Target struct {
	Tier *Tier
	Port int
	// TargetType is "ip", "instance" or "alb" (an ALB behind an NLB).
	TargetType string
	// PreserveClientIP is the NLB client IP preservation setting after AWS's
	// default for the target type and protocol is applied.
	PreserveClientIP bool
	// PreserveClientIPSet reports whether the scenario set PreserveClientIP
	// rather than taking AWS's default.
	PreserveClientIPSet bool
	HealthCheckPort     int
	Path                string
	Pos                 Pos
}

// Connection is a connection a compute tier opens as part of the design, such
// as an application's connection to its database.
type Connection struct {
	Tier     *Tier
	Protocol Protocol
	Port     int
	// Public reports a connection to the destination's public address,
	// such as a client calling an internet-facing load balancer by its
	// DNS name. It leaves the VPC and arrives from a public address.
	Public bool
	Path   string
	Pos    Pos
}

// Stage is one step of the chain: the tiers any of which may carry the
// traffic at that step.
type Stage struct {
	Index int // from 0
	Tiers []*Tier
	Path  string
	Pos   Pos
}

// AttackerKind is the kind of an attacker.
type AttackerKind string

// Attacker kinds.
const (
	// AttackerInternet sends from any public address, and can create its own
	// CloudFront distribution with any origin, port and headers.
	AttackerInternet AttackerKind = "internet"
	// AttackerDistribution is only an attacker-owned CloudFront distribution.
	AttackerDistribution AttackerKind = "cloudfront-distribution"
	// AttackerCompromised runs code on an interface of a tier and sends with
	// its address and security-group identity, within its egress rules.
	AttackerCompromised AttackerKind = "compromised"
	// AttackerAddressRange sends from a range of addresses routed into the
	// VPC, such as an on-premises network over a VPN or a peered VPC.
	AttackerAddressRange AttackerKind = "address-range"
)

// Attacker is a starting point with capabilities.
type Attacker struct {
	Name string
	Kind AttackerKind
	Tier *Tier // kind compromised
	// CIDRs are the source ranges of kind address-range.
	CIDRs []netip.Prefix
	// KnowsSecrets are the names of secret custom headers whose values the
	// attacker has learned, compared without regard to case.
	KnowsSecrets []string
	// OwnDistribution reports whether an internet attacker may also send
	// through a CloudFront distribution of its own. It is true unless the
	// scenario turns it off.
	OwnDistribution bool
	Path            string
	Pos             Pos
}
