package importer

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// NetworkACL is a network ACL with its numbered entries and the subnets
// associated with it.
type NetworkACL struct {
	Key string
	// VPC is the key of the ACL's VPC, or empty when the input does not
	// give it. Build takes the VPC from the associated subnets first.
	VPC   string
	Names []NameHint
	// Default marks the VPC's default network ACL.
	Default bool
	Subnets []string
	Entries []NACLEntry
	Loc     Location
}

// NACLEntry is one numbered network ACL entry.
type NACLEntry struct {
	Number int
	Egress bool
	Action string // allow or deny
	// Protocol is as AWS or the input writes it: a protocol number as a
	// string ("6", "-1"), or a name such as "tcp" or "all".
	Protocol string
	// CIDR is the entry's IPv4 or IPv6 block.
	CIDR             string
	FromPort, ToPort int
	HasPorts         bool
	// ICMPType and ICMPCode select ICMP messages, with -1 meaning all.
	ICMPType, ICMPCode int
	HasICMP            bool
	Loc                Location
}

// NetworkACLOut is a network ACL of the scenario.
type NetworkACLOut struct {
	Name    string
	VPC     string // written only when the scenario has several VPCs
	Comment []string
	Ingress []*NACLRuleOut
	Egress  []*NACLRuleOut
}

// NACLRuleOut is a network ACL rule of the scenario.
type NACLRuleOut struct {
	Number   int
	Action   string
	Protocol string
	// Ports is the ports value for tcp and udp: a port, "N-M" or "all".
	Ports string
	// ICMPType and ICMPCode are set for icmp and icmpv6 rules that select
	// messages.
	ICMPType, ICMPCode string
	CIDR               string
}

// maxNACLRule is the highest rule number a scenario accepts. AWS numbers
// its * rules 32767 (IPv4) and 32768 (IPv6), and the scenario format adds
// them without being told.
const maxNACLRule = 32766

// isUnmodifiedDefault reports whether entries are the rules AWS creates a
// default network ACL with, in both directions: rule 100 allowing all
// traffic from and to 0.0.0.0/0, and rule 101 allowing all traffic for ::/0.
// Rule 101 may be missing when the VPC has no IPv6 block, because AWS adds
// it only with the block. The * rules are ignored.
func isUnmodifiedDefault(entries []NACLEntry, vpcIPv6 bool) bool {
	for _, egress := range []bool{false, true} {
		var v4, v6 bool
		for _, e := range entries {
			if e.Egress != egress || e.Number > maxNACLRule {
				continue
			}
			proto, _ := normalizeProtocol(e.Protocol)
			if !strings.EqualFold(e.Action, "allow") || proto != "all" {
				return false
			}
			switch {
			case e.Number == 100 && e.CIDR == "0.0.0.0/0":
				v4 = true
			case e.Number == 101 && e.CIDR == "::/0":
				v6 = true
			default:
				return false
			}
		}
		if !v4 || vpcIPv6 && !v6 {
			return false
		}
	}
	return true
}

// naclRuleOut translates one entry of the network ACL with key aclKey. It
// returns nil, with a warning, for an entry the scenario cannot hold, and
// nil without one for AWS's * rules.
func (b *builder) naclRuleOut(aclKey string, e NACLEntry) *NACLRuleOut {
	if e.Number > maxNACLRule {
		return nil
	}
	if e.Number < 1 {
		b.warn.Add(e.Loc, NotUnderstood, "network ACL %s has an entry numbered %d, outside the 1 to %d that AWS allows; the entry is left out", aclKey, e.Number, maxNACLRule)
		return nil
	}
	action := strings.ToLower(strings.TrimSpace(e.Action))
	if action != "allow" && action != "deny" {
		b.warn.Add(e.Loc, NotUnderstood, "entry %d of network ACL %s has the action %q, which is neither allow nor deny; the entry is left out", e.Number, aclKey, e.Action)
		return nil
	}
	proto, ok := normalizeProtocol(e.Protocol)
	if !ok {
		b.warn.Add(e.Loc, NotUnderstood, "entry %d of network ACL %s has the protocol %q, which is neither a name AWS uses nor a number from 0 to 255; the entry is left out", e.Number, aclKey, e.Protocol)
		return nil
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(e.CIDR))
	if err != nil {
		b.warn.Add(e.Loc, NotUnderstood, "entry %d of network ACL %s has the CIDR %q, which is not a CIDR; the entry is left out", e.Number, aclKey, e.CIDR)
		return nil
	}
	if p.Masked() != p {
		b.warn.Add(e.Loc, Mapped, "entry %d of network ACL %s is for %s, which has host bits set; it is written as %s, the block AWS applies", e.Number, aclKey, p, p.Masked())
	}
	out := &NACLRuleOut{Number: e.Number, Action: action, Protocol: proto, CIDR: p.Masked().String()}
	switch proto {
	case "tcp", "udp":
		out.Ports = portRange(e.FromPort, e.ToPort, e.HasPorts)
		if !e.HasPorts {
			b.warn.Add(e.Loc, Unresolved, "entry %d of network ACL %s is for %s with no port range in the input; it is written for all ports", e.Number, aclKey, proto)
		}
	case "icmp", "icmpv6":
		// AWS writes -1 for "all", and the format's default for both keys
		// is all, so only a selected type or code is written.
		if e.HasICMP && e.ICMPType >= 0 && e.ICMPType <= 255 {
			out.ICMPType = strconv.Itoa(e.ICMPType)
			if e.ICMPCode >= 0 && e.ICMPCode <= 255 {
				out.ICMPCode = strconv.Itoa(e.ICMPCode)
			}
		}
	}
	return out
}

// networkACLs writes the network ACLs of the imported subnets and sets each
// subnet's network_acl. It runs after the subnets are named. A subnet left
// on an unmodified default ACL gets no network_acl, because the scenario's
// implicit default allows all traffic as that ACL does. An edited default
// ACL is written as a custom one, as the scenario format requires.
func (b *builder) networkACLs(multiVPC bool) []*NetworkACLOut {
	names := newNamespace()
	aclOf := map[*subnetState]*NetworkACL{}
	vpcOf := map[*NetworkACL]*vpcState{}
	var order []*NetworkACL
	// Custom ACLs claim their subnets before the default ACLs, so that a
	// subnet the input lists under both stays on the custom one.
	acls := slices.Clone(b.inv.NetworkACLs)
	slices.SortStableFunc(acls, func(a, c *NetworkACL) int {
		switch {
		case a.Default == c.Default:
			return 0
		case a.Default:
			return 1
		}
		return -1
	})
	for _, acl := range acls {
		var vpc *vpcState
		var subnets []*subnetState
		for _, key := range acl.Subnets {
			sn := b.subnets[key]
			if sn == nil || !sn.vpc.used || sn.name == "" {
				continue
			}
			if other := aclOf[sn]; other != nil {
				if !acl.Default {
					b.warn.Add(acl.Loc, NotUnderstood, "subnet %s is associated with network ACLs %s and %s, but AWS gives a subnet one; it is written with %s", key, other.Key, acl.Key, other.Key)
				}
				continue
			}
			vpc = sn.vpc
			subnets = append(subnets, sn)
		}
		if vpc == nil {
			vpc = b.vpcs[acl.VPC]
		}
		if vpc == nil && acl.Default && len(b.vpcList) == 1 {
			vpc = b.vpcList[0]
		}
		if acl.Default && vpc == nil && len(acl.Subnets) == 0 && !isUnmodifiedDefault(acl.Entries, false) {
			b.warn.Add(acl.Loc, Unresolved, "default network ACL %s has edited rules, but the input does not say which VPC it belongs to. It is left out, so the subnets that use it are written without network_acl, which allows all traffic", acl.Key)
			continue
		}
		if acl.Default && vpc != nil {
			// Every subnet of the VPC that no custom ACL claims uses the
			// default ACL, whether or not the input lists the association.
			for _, sn := range vpc.subnets {
				if aclOf[sn] == nil && sn.name != "" && !slices.Contains(subnets, sn) {
					subnets = append(subnets, sn)
				}
			}
			if isUnmodifiedDefault(acl.Entries, vpc.ipv6.IsValid()) {
				for _, sn := range subnets {
					aclOf[sn] = acl
				}
				continue
			}
		}
		if len(subnets) == 0 {
			continue
		}
		for _, sn := range subnets {
			aclOf[sn] = acl
		}
		order = append(order, acl)
		vpcOf[acl] = vpc
	}

	var out []*NetworkACLOut
	nameOf := map[*NetworkACL]string{}
	for _, acl := range order {
		name := names.unique(bestName(acl.Names), acl.Key)
		nameOf[acl] = name
		o := &NetworkACLOut{Name: name, Comment: []string{source(acl.Key, acl.Loc)}}
		if multiVPC {
			o.VPC = vpcOf[acl].name
		}
		if acl.Default {
			o.Comment = append(o.Comment, "The VPC's default network ACL, whose rules were edited, so it is declared like a custom one.")
		}
		seen := map[bool]map[int]bool{false: {}, true: {}}
		entries := slices.Clone(acl.Entries)
		slices.SortStableFunc(entries, func(a, c NACLEntry) int { return a.Number - c.Number })
		for _, e := range entries {
			r := b.naclRuleOut(acl.Key, e)
			if r == nil {
				continue
			}
			if seen[e.Egress][e.Number] {
				b.warn.Add(e.Loc, NotUnderstood, "network ACL %s has two %s entries numbered %d, but AWS allows one; the later one is left out", acl.Key, direction(e.Egress), e.Number)
				continue
			}
			seen[e.Egress][e.Number] = true
			if e.Egress {
				o.Egress = append(o.Egress, r)
			} else {
				o.Ingress = append(o.Ingress, r)
			}
		}
		out = append(out, o)
	}
	for sn, acl := range aclOf {
		// An unmodified default ACL has no name, which leaves the subnet
		// without network_acl.
		sn.out.NetworkACL = nameOf[acl]
	}
	slices.SortFunc(out, func(a, c *NetworkACLOut) int { return strings.Compare(a.Name, c.Name) })
	return out
}

func direction(egress bool) string {
	if egress {
		return "egress"
	}
	return "ingress"
}
