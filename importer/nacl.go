package importer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// NetworkACL is a network ACL, read only to be listed in a warning: the
// scenario format has no network ACLs.
type NetworkACL struct {
	ID      string
	Default bool
	Subnets []string
	Entries []NACLEntry
}

// NACLEntry is one numbered network ACL entry.
type NACLEntry struct {
	Number int
	Egress bool
	Action string // allow or deny
	// Protocol is a protocol number as a string, or -1 for all.
	Protocol         string
	CIDR             string
	FromPort, ToPort int
	HasPorts         bool
}

// naclProtocols names the protocol numbers network ACL entries use.
var naclProtocols = map[string]string{"-1": "all", "all": "all", "6": "tcp", "tcp": "tcp", "17": "udp", "udp": "udp", "1": "icmp", "icmp": "icmp", "58": "icmpv6"}

// Describe summarizes the ACL for a warning: its subnets and its numbered
// entries in evaluation order, so that a reviewer can tell whether it stops
// a path the check reports. The * entries, which deny what no numbered
// entry matches, are left implicit.
func (acl NetworkACL) Describe() string {
	entries := slices.Clone(acl.Entries)
	slices.SortFunc(entries, func(a, b NACLEntry) int {
		if a.Egress != b.Egress {
			if a.Egress {
				return 1
			}
			return -1
		}
		return a.Number - b.Number
	})
	var in, out []string
	allowAll := true
	for _, e := range entries {
		if e.Number >= 32767 {
			continue
		}
		proto := naclProtocols[strings.ToLower(e.Protocol)]
		if proto == "" {
			proto = "protocol " + e.Protocol
		}
		text := fmt.Sprintf("%d %s %s", e.Number, e.Action, proto)
		if e.HasPorts && (proto == "tcp" || proto == "udp") {
			if e.FromPort == e.ToPort {
				text += " " + strconv.Itoa(e.FromPort)
			} else {
				text += fmt.Sprintf(" %d-%d", e.FromPort, e.ToPort)
			}
		}
		text += " " + e.CIDR
		if !(e.Action == "allow" && proto == "all" && (e.CIDR == "0.0.0.0/0" || e.CIDR == "::/0")) {
			allowAll = false
		}
		if e.Egress {
			out = append(out, text)
		} else {
			in = append(in, text)
		}
	}
	kind := "network ACL"
	if acl.Default {
		kind = "default network ACL"
	}
	where := "no subnet"
	if len(acl.Subnets) > 0 {
		where = "subnets " + strings.Join(acl.Subnets, ", ")
	}
	if allowAll && len(in) > 0 && len(out) > 0 {
		return fmt.Sprintf("%s %s on %s allows all traffic; the scenario format has no network ACLs, and leaving this one out changes nothing", kind, acl.ID, where)
	}
	return fmt.Sprintf("%s %s on %s is not modeled, because the scenario format has no network ACLs; it may stop a path the check reports, or break a hop that lacks return rules on ephemeral ports. Inbound: %s. Outbound: %s",
		kind, acl.ID, where, orNone(in), orNone(out))
}

func orNone(rules []string) string {
	if len(rules) == 0 {
		return "none (everything denied)"
	}
	return strings.Join(rules, "; ")
}
