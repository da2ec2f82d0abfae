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
	if slices.ContainsFunc(n.ordered, func(t *tierInfo) bool { return t.Kind == model.KindCloudFront }) {
		out = append(out, "CloudFront is assumed to forward every viewer header to the origin, as an all-viewer origin request policy does")
	}
	return append(out, notModeled)
}
