package sim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// notModeled is the note every report carries about the parts of AWS
// filtering the model leaves out.
const notModeled = "not modeled: middlebox routes, VPN and Direct Connect gateways, Gateway Load Balancers and Network Firewall, " +
	"endpoint and bucket policies, Availability Zones, and health checks (docs/scenario-format.md, \"What the model does not cover\")"

// notes returns the model's simplifications that bear on this scenario.
func (n *Network) notes() []string {
	var out []string
	for _, pl := range n.Scenario.PrefixLists {
		if pl.StandIn {
			out = append(out, fmt.Sprintf("prefix list %s (%s) uses the model's stand-in addresses %s; paste the real entries under entries: to compare them with CIDR rules",
				pl.Name, pl.AWSManaged, SetOf(pl.Entries...)))
		}
	}
	for _, t := range n.ordered {
		if t.Kind != model.KindCloudFront || t.CloudFront.WAF == nil {
			continue
		}
		w := t.CloudFront.WAF
		if len(w.ManagedRuleGroups) > 0 {
			out = append(out, fmt.Sprintf("web ACL %s: managed rule groups %s inspect request content and are assumed to let a well-formed request through",
				w.Name, strings.Join(w.ManagedRuleGroups, ", ")))
		}
		for _, r := range w.Rules {
			if r.Header != nil && r.Action == "block" {
				out = append(out, fmt.Sprintf("web ACL %s: rule %s matches header values without regard to case; AWS WAF compares case-sensitively unless the rule applies a LOWERCASE text transformation, so a case variant may pass the block in AWS", w.Name, r.Name))
			}
		}
	}
	for _, t := range n.ordered {
		for _, sn := range t.Subnets[min(1, len(t.Subnets)):] {
			if sn.NetworkACL != t.Subnets[0].NetworkACL {
				out = append(out, fmt.Sprintf("tier %s spans subnets with different network ACLs; the model places its interface in %s and evaluates that subnet's network ACL only",
					t.Name, t.Subnets[0].Name))
				break
			}
		}
	}
	out = append(out, n.routeNotes()...)
	if slices.ContainsFunc(n.ordered, func(t *tierInfo) bool { return t.Kind == model.KindCloudFront }) {
		out = append(out, "CloudFront is assumed to forward every viewer header to the origin, as an all-viewer origin request policy does")
	}
	return append(out, notModeled)
}

// routeNotes returns the simplifications of routing that bear on the
// scenario: tiers whose subnets route differently, transit gateways and
// private NAT gateways.
func (n *Network) routeNotes() []string {
	var out []string
	for _, t := range n.ordered {
		for _, sn := range t.Subnets[min(1, len(t.Subnets)):] {
			if routeSignature(sn) != routeSignature(t.Subnets[0]) {
				out = append(out, fmt.Sprintf("tier %s spans subnets with different route tables; traffic from the internet may arrive through any subnet that routes it back to an internet gateway, and the tier's own connections leave from %s",
					t.Name, t.Subnets[0].Name))
				break
			}
		}
	}
	for _, g := range n.Scenario.TransitGateways {
		out = append(out, fmt.Sprintf("transit gateway %s is modeled as one route table that joins all its attachments; its own route tables, appliance mode and per-zone attachments are not modeled", g.Name))
	}
	for _, v := range n.Scenario.VPCs {
		for _, g := range v.NATGateways {
			if g.Private {
				out = append(out, fmt.Sprintf("NAT gateway %s is private; the model sends nothing through it, because its routes into peered networks and transit gateways are not modeled", g.Name))
			}
		}
	}
	return out
}

// routeSignature renders a subnet's routes, so that two subnets with equal
// routes compare equal even when each has its own table, as subnets written
// with public: true do.
func routeSignature(sn *model.Subnet) string {
	if sn.RouteTable == nil {
		return ""
	}
	parts := make([]string, len(sn.RouteTable.Routes))
	for i, r := range sn.RouteTable.Routes {
		parts[i] = r.String()
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}
