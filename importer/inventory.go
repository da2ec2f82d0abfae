// Package importer writes sgchain scenarios from configuration that already
// exists: AWS CLI output, a Terraform plan or a CloudFormation template.
//
// Each input format has its own package (importer/aws, importer/terraform,
// importer/cloudformation) that reads its files into an Inventory: the AWS
// resources that matter to network reachability, with references between
// them resolved to keys. Build turns an Inventory into a Scenario, grouping
// interfaces into tiers, naming everything, and proposing the chain and the
// attackers. Scenario.YAML writes the result as a commented scenario file.
package importer

import (
	"github.com/sgchain/sgchain/model"
)

// Inventory holds the AWS resources read from one set of input files. Every
// reference between resources is a key of the referenced resource, unique
// within its kind: an AWS id in CLI output, a resource address in a
// Terraform plan, a logical id in a CloudFormation template.
type Inventory struct {
	// Source names the input format, such as "aws", for the header comment.
	Source string
	// Inputs are the files read, in the order they were read.
	Inputs []string
	// RouteTablesKnown reports whether the input describes route tables. When
	// it does not, a subnet's public flag cannot be derived and Build
	// proposes it from the resources placed in the subnet.
	RouteTablesKnown bool

	VPCs            []*VPC
	Subnets         []*Subnet
	RouteTables     []*RouteTable
	NATGateways     []*NATGateway
	VPCEndpoints    []*VPCEndpoint
	Peerings        []*Peering
	TransitGateways []*TransitGateway
	TGWAttachments  []*TGWAttachment
	NetworkACLs     []*NetworkACL
	PrefixLists     []*PrefixList
	SecurityGroups  []*SecurityGroup
	Workloads       []*Workload
	LoadBalancers   []*LoadBalancer
	TargetGroups    []*TargetGroup
	Distributions   []*Distribution
	WebACLs         []*WebACL

	Warnings Warnings
}

// NameHint is a candidate name for a resource, ranked by how specific its
// source is. Build picks the hint with the lowest Rank.
type NameHint struct {
	Rank  NameRank
	Value string
}

// NameRank orders name hints from most to least telling.
type NameRank int

// Name sources, best first.
const (
	RankNameTag   NameRank = iota // the Name tag
	RankService                   // an ECS service name, or a CloudFront comment
	RankOwnName                   // the resource's own name: load balancer, DB identifier, function
	RankLogicalID                 // a CloudFormation logical id or Terraform resource name
	RankGroupName                 // the name of the resource's security group
	RankID                        // an AWS id
)

// VPC is a virtual private cloud.
type VPC struct {
	Key      string
	Names    []NameHint
	CIDR     string // primary IPv4 block; empty when the input does not give it
	IPv6CIDR string
	// Region is the VPC's AWS Region, such as us-east-1, or empty when the
	// input does not give it.
	Region string
	Loc    Location
}

// Subnet is a subnet of a VPC.
type Subnet struct {
	Key      string
	VPC      string
	Names    []NameHint
	CIDR     string
	IPv6CIDR string
	Loc      Location
}

// RouteTable is a route table with its routes and the subnets that use it.
type RouteTable struct {
	Key   string
	VPC   string
	Names []NameHint
	// Main reports whether the table is the VPC's main table, which every
	// subnet without an explicit association uses.
	Main    bool
	Subnets []string
	// Routes are the table's routes other than the local ones, which every
	// table has for the VPC's blocks.
	Routes []*Route
	Loc    Location
}

// RouteTarget is the kind of gateway or connection a route sends traffic to.
type RouteTarget int

// Route targets.
const (
	// TargetUnknown is a route whose target the input does not show.
	TargetUnknown RouteTarget = iota
	// TargetLocal is the route for a block of the VPC itself.
	TargetLocal
	TargetInternetGateway
	TargetEgressOnly
	TargetNATGateway
	TargetPeering
	TargetTransitGateway
	// TargetGatewayEndpoint is the route a gateway VPC endpoint adds for its
	// service's prefix list.
	TargetGatewayEndpoint
	// TargetNotModeled is a target the scenario format has no construct
	// for: an instance or network interface, a virtual private gateway, a
	// carrier or local gateway, a Gateway Load Balancer endpoint or a Cloud
	// WAN core network. TargetNote names it.
	TargetNotModeled
)

// Route is one route of a route table.
type Route struct {
	// Destination is an IPv4 or IPv6 CIDR, or empty when PrefixList is
	// set.
	Destination string
	// PrefixList is the key of the destination prefix list.
	PrefixList string
	Target     RouteTarget
	// TargetKey is the key of the NAT gateway, peering connection, transit
	// gateway or VPC endpoint the route sends to, or the gateway's id for
	// an internet gateway.
	TargetKey string
	// TargetNote describes the target for a warning, such as "virtual
	// private gateway vgw-0123".
	TargetNote string
	// Blackhole reports a route whose target no longer exists, so that AWS
	// drops what it matches.
	Blackhole bool
	Loc       Location
}

// NATGateway is a NAT gateway.
type NATGateway struct {
	Key    string
	Names  []NameHint
	Subnet string
	// Private reports connectivity type private: the gateway translates to
	// its private address and has no Elastic IP address.
	Private bool
	// PublicIP is the primary Elastic IP address, when the input gives it.
	PublicIP string
	Loc      Location
}

// VPC endpoint types, as the EC2 API writes them.
const (
	EndpointGateway             = "Gateway"
	EndpointInterface           = "Interface"
	EndpointGatewayLoadBalancer = "GatewayLoadBalancer"
)

// VPCEndpoint is a gateway VPC endpoint, or a Gateway Load Balancer
// endpoint, which the scenario does not model. Interface endpoints are
// workloads of kind interface_endpoint, because they are network
// interfaces with security groups.
type VPCEndpoint struct {
	Key   string
	VPC   string
	Names []NameHint
	// Type is EndpointGateway or EndpointGatewayLoadBalancer.
	Type string
	// Service is the service name, such as com.amazonaws.us-east-1.s3, or
	// empty when the input does not give it.
	Service string
	// RouteTables are the keys of the route tables a gateway endpoint adds
	// its route to.
	RouteTables []string
	Loc         Location
}

// Peering is a VPC peering connection.
type Peering struct {
	Key   string
	Names []NameHint
	// Requester and Accepter are the keys of the peered VPCs, or their ids
	// when the input does not describe them.
	Requester, Accepter string
	// RequesterRegion and AccepterRegion are the VPCs' Regions, when the
	// input gives them.
	RequesterRegion, AccepterRegion string
	// Inactive names the connection's state when it carries no traffic,
	// such as pending-acceptance or rejected, and is empty for an active
	// connection.
	Inactive string
	Loc      Location
}

// TransitGateway is a transit gateway.
type TransitGateway struct {
	Key   string
	Names []NameHint
	// SecurityGroupReferencing is the gateway's own setting, off unless the
	// input enables it, as AWS creates a gateway.
	SecurityGroupReferencing bool
	Loc                      Location
}

// TGWAttachment attaches a VPC to a transit gateway.
type TGWAttachment struct {
	Key            string
	TransitGateway string
	VPC            string
	// SecurityGroupReferencing is the attachment's setting, on unless the
	// input disables it, as AWS creates an attachment.
	SecurityGroupReferencing bool
	Loc                      Location
}

// PrefixList is a managed prefix list.
type PrefixList struct {
	Key string
	// AWSName is the name of an AWS-managed list, such as
	// com.amazonaws.global.cloudfront.origin-facing, and empty for a
	// customer-managed list.
	AWSName string
	Names   []NameHint
	Family  string // "ipv4" or "ipv6"
	// MaxEntries is the declared size of a customer-managed list.
	MaxEntries int
	Entries    []string
	// EntriesKnown reports whether Entries come from the input. Without
	// them a customer-managed list is written empty.
	EntriesKnown bool
	Loc          Location
}

// EgressMode is the form of a security group's outbound rules.
type EgressMode int

// Egress modes.
const (
	// EgressRules means exactly the rules in Egress; none when it is empty.
	EgressRules EgressMode = iota
	// EgressAWSDefault means the rule AWS creates with every group (all
	// traffic to 0.0.0.0/0) followed by the rules in Egress.
	EgressAWSDefault
)

// SecurityGroup is a VPC security group.
type SecurityGroup struct {
	Key         string
	VPC         string
	Names       []NameHint
	Description string
	Ingress     []*Rule
	Egress      []*Rule
	EgressMode  EgressMode
	Loc         Location
}

// PeerKind is the kind of a rule's peer.
type PeerKind int

// Peer kinds.
const (
	PeerCIDR PeerKind = iota
	PeerGroup
	PeerPrefixList
	PeerSelf
)

// Rule is one security-group rule with one peer, as the scenario writes it.
// The AWS API groups several peers under one permission; the readers split
// them.
type Rule struct {
	// Protocol is as AWS writes it: "-1", "tcp", "udp", "icmp", "icmpv6" or a
	// protocol number.
	Protocol string
	// FromPort and ToPort are the port range for tcp and udp, and the ICMP
	// type and code for icmp and icmpv6, with -1 meaning all.
	FromPort, ToPort int
	PortsKnown       bool
	PeerKind         PeerKind
	// Peer is the CIDR, or the key of the security group or prefix list.
	Peer        string
	Description string
	Loc         Location
}

// Workload is a network interface, or a resource that owns interfaces, that
// becomes part of a tier: an ECS task or service, an EC2 instance, a Lambda
// function, an RDS instance, an ElastiCache cluster or an interface VPC
// endpoint.
type Workload struct {
	Key      string
	Kind     model.Kind
	Subnets  []string
	Groups   []string
	PublicIP bool
	// PrivateIPs are the interface's IPv4 addresses, primary first, when
	// the input gives them.
	PrivateIPs []string
	// PublicAddrs are the public IPv4 addresses and DNS names, for matching
	// CloudFront origins.
	PublicAddrs []string
	// Identity names the service the workload belongs to, such as an ECS
	// service or a Lambda function. Interfaces of one service are grouped
	// before interfaces that only behave the same.
	Identity   string
	InstanceID string
	Names      []NameHint
	// Port is the port a data store listens on, when known.
	Port int
	// IPv6 reports that the input gives the workload IPv6 addresses.
	IPv6 bool
	// Service is the AWS service name of an interface endpoint, such as
	// com.amazonaws.us-east-1.secretsmanager.
	Service string
	Loc     Location
}

// LoadBalancer is an Application, Network or Gateway Load Balancer.
type LoadBalancer struct {
	Key string
	// Type is "application", "network" or "gateway", as Elastic Load
	// Balancing writes it.
	Type   string
	Names  []NameHint
	Scheme string // "internet-facing" or "internal"
	// IPAddressType is "ipv4", "dualstack" or
	// "dualstack-without-public-ipv4", as Elastic Load Balancing writes it,
	// or empty for ipv4.
	IPAddressType string
	// Subnets are the subnets the load balancer has nodes in.
	Subnets []string
	Groups  []string
	// GroupsKnown reports whether Groups is known: an NLB without groups is
	// different from one whose groups the input does not show.
	GroupsKnown bool
	DNSName     string
	PrivateIPs  []string
	Listeners   []*Listener
	Loc         Location
}

// Listener is a load-balancer listener.
type Listener struct {
	Key      string
	Port     int
	Protocol string // as Elastic Load Balancing writes it: HTTP, HTTPS, TCP, ...
	Default  []*Action
	Rules    []*ListenerRule
	Loc      Location
}

// ListenerRule is an ALB listener rule.
type ListenerRule struct {
	Priority   int
	Conditions []*Condition
	Actions    []*Action
	Loc        Location
}

// Condition is an ALB rule condition.
type Condition struct {
	// Field is the condition type as Elastic Load Balancing writes it, such
	// as http-header, source-ip or path-pattern.
	Field string
	// HeaderName and Values are set for http-header.
	HeaderName string
	Values     []Value
	// SourceIPs is set for source-ip.
	SourceIPs []string
	Loc       Location
}

// Action is a listener action.
type Action struct {
	// Type is as Elastic Load Balancing writes it: forward, fixed-response,
	// redirect, authenticate-oidc or authenticate-cognito.
	Type string
	// TargetGroups are the keys of the target groups of a forward action.
	TargetGroups []string
	// Status is the status code of a fixed response or redirect.
	Status int
	// Redirect describes a redirect's destination for the comment.
	Redirect string
	Loc      Location
}

// TargetGroup is a load-balancer target group with its registered targets.
type TargetGroup struct {
	Key        string
	Names      []NameHint
	Port       int
	Protocol   string
	TargetType string // ip, instance, lambda or alb
	// HealthCheckPort is a port number, or empty for the traffic port.
	HealthCheckPort  int
	PreserveClientIP *bool
	Members          []Member
	// MembersKnown reports whether the input lists the registered targets.
	MembersKnown bool
	Loc          Location
}

// Member is a registered target, identified by whichever of the fields the
// input gives.
type Member struct {
	IP         string
	InstanceID string
	Workload   string // key of a workload
	// Identity names the service of the workloads, such as an ECS service
	// or a Lambda function, when the input names the target that way.
	Identity string
	LB       string // key of a load balancer (target type alb)
	Port     int
}

// Distribution is a CloudFront distribution.
type Distribution struct {
	Key     string
	Names   []NameHint
	WebACL  string // key of a web ACL, or its id or ARN
	Origins []*Origin
	Loc     Location
}

// Origin is a CloudFront origin.
type Origin struct {
	ID         string
	DomainName string
	// LB and Workload are the keys of the origin's load balancer or workload
	// when the input references it directly, as Terraform and
	// CloudFormation do.
	LB, Workload string
	// Custom reports a custom origin. S3 origins and VPC origins are not.
	Custom         bool
	VPCOrigin      bool
	ProtocolPolicy string
	HTTPPort       int
	HTTPSPort      int
	Headers        []*Header
	Loc            Location
}

// Header is an origin custom header.
type Header struct {
	Name  string
	Value Value
	Loc   Location
}

// Value is a string that may be unknown in the input, such as a password
// Terraform generates at apply time or a CloudFormation parameter without a
// default. Two unknown values are the same when their Symbols are equal.
type Value struct {
	Text   string
	Symbol string
}

// Known reports whether v has a literal value.
func (v Value) Known() bool { return v.Symbol == "" }

// identity returns a key under which equal values compare equal.
func (v Value) identity() string {
	if v.Symbol != "" {
		return "symbol:" + v.Symbol
	}
	return "text:" + v.Text
}

// WebACL is an AWS WAF web ACL.
type WebACL struct {
	Key string
	// IDs are the other strings that refer to the ACL, such as its ARN.
	IDs           []string
	Name          string
	DefaultAction string // "allow" or "block"
	ManagedGroups []string
	Rules         []*WAFRule
	// Unsupported lists the rules the scenario format cannot express.
	Unsupported []string
	Loc         Location
}

// WAFRule is a web ACL rule the scenario format can express: a header match.
type WAFRule struct {
	Name         string
	Priority     int
	Action       string
	HeaderName   string
	HeaderValues []string
}
