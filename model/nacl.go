package model

import "net/netip"

// NetworkACL is a custom network ACL: numbered rules evaluated in ascending
// order, the first match deciding, with an implicit deny after the last rule.
// It is stateless, so replies need rules of their own.
type NetworkACL struct {
	Name    string
	VPC     *VPC
	Ingress []*NACLRule // in ascending rule-number order
	Egress  []*NACLRule // in ascending rule-number order
	Pos     Pos
}

// NACLRule is one network ACL rule. Its peer is always a CIDR, and its port
// range (or ICMP type and code, encoded as for security-group rules) tests
// the packet's destination port.
type NACLRule struct {
	ACL       *NetworkACL
	Direction Direction
	Number    int // 1-32766
	Allow     bool
	Protocol  Protocol
	Ports     PortRange
	CIDR      netip.Prefix
	Path      string
	Pos       Pos
}
