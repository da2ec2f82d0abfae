package sim

import (
	"fmt"
	"slices"

	"github.com/sgchain/sgchain/model"
)

// Filter names the check a step records.
type Filter string

// Filters a packet meets on a hop, in the order they apply.
const (
	FilterEgress   Filter = "sender egress"
	FilterIngress  Filter = "receiver ingress"
	FilterWAF      Filter = "waf"
	FilterListener Filter = "listener rule"
	FilterForward  Filter = "forward"
)

// Reason codes for a dropped packet. Where AWS Reachability Analyzer has an
// explanation code for the same cause, the code is reused.
const (
	ReasonSGRulesMismatch    = "ENI_SG_RULES_MISMATCH"
	ReasonSGNoRules          = "SG_HAS_NO_RULES"
	ReasonListenerPort       = "ELBV2_LISTENER_PORT_RESTRICTION"
	ReasonListenerProtocol   = "ELBV2_LISTENER_PROTOCOL_RESTRICTION"
	ReasonFixedResponse      = "ELBV2_LISTENER_FIXED_RESPONSE"
	ReasonWAFBlock           = "WAF_WEB_ACL_BLOCK"
	ReasonProtocolRestrict   = "PROTOCOL_RESTRICTION"
	ReasonNotInternetFacing  = "IGW_EXPECTS_PUBLIC_ADDRESS"
	ReasonDifferentVPC       = "DISCONNECTED_VPCS"
	ReasonOriginPortRestrict = "CLOUDFRONT_ORIGIN_PORT_RESTRICTION"
)

// Step is one filter evaluated on a hop and its outcome.
type Step struct {
	Filter Filter
	// Component names what evaluated the filter, such as "tier alb" or
	// "web ACL nakama-waf".
	Component string
	Allowed   bool
	// Rule is the rule that decided, in the user's terms, such as
	// "security_groups.alb.ingress[0] (tcp 443 from prefix list cloudfront)".
	// It is empty when no rule matched.
	Rule string
	Pos  model.Pos
	// Reason is the explanation code of a drop.
	Reason string
	// Detail is a sentence that explains the step.
	Detail string

	rule *rule // the security-group rule that decided, if any

	// acl and aclDir name the network ACL and direction that decided a
	// network ACL step, and aclPorts the destination ports it was asked
	// to admit.
	acl      *model.NetworkACL
	aclDir   model.Direction
	aclPorts model.PortRange
}

// describeRule renders a rule the way the scenario file states it.
func describeRule(r *model.Rule) string {
	dir := "from"
	if r.Direction == model.Egress {
		dir = "to"
	}
	what := r.Protocol.String()
	switch r.Protocol {
	case model.TCP, model.UDP:
		what += " " + r.Ports.String()
	case model.ICMP, model.ICMPv6:
		if !r.Ports.IsAll() {
			what += fmt.Sprintf(" type %d", r.Ports.From/256)
			if r.Ports.To-r.Ports.From < 255 {
				what += fmt.Sprintf(" code %d", r.Ports.From%256)
			}
		}
	}
	return fmt.Sprintf("%s (%s %s %s)", r.Path, what, dir, r.Peer)
}

// matchRule reports whether r admits p, with p's remote end being the
// packet's source for ingress and destination for egress.
func matchRule(r *rule, p *Packet) bool {
	if r.Protocol != model.AllProtocols && r.Protocol != p.Protocol {
		return false
	}
	if r.Protocol.HasPorts() && !r.Ports.Contains(p.Port) {
		return false
	}
	remote := p.Src
	if r.Direction == model.Egress {
		remote = p.Dst
	}
	switch r.Peer.Kind {
	case model.PeerSecurityGroup:
		if r.Direction == model.Egress {
			// An egress reference matches the private addresses of the
			// interfaces in the referenced group, which the packet carries
			// from the destination tier.
			return p.dstGroups != nil && slices.Contains(p.dstGroups, r.Peer.SecurityGroup)
		}
		return slices.Contains(p.Identity, r.Peer.SecurityGroup)
	default:
		return r.addrs.Contains(remote)
	}
}

// evalRules returns the first rule, in scenario order, that admits p. Security
// groups have no rule order and a packet is admitted when any rule allows
// it, so the first match is as good an explanation as any.
func evalRules(rules []*rule, p *Packet) *rule {
	for _, r := range rules {
		if matchRule(r, p) {
			return r
		}
	}
	return nil
}

// sgStep evaluates the security groups of t in one direction.
func sgStep(t *tierInfo, dir model.Direction, p *Packet) Step {
	rules, filter := t.ingress, FilterIngress
	if dir == model.Egress {
		rules, filter = t.egress, FilterEgress
	}
	st := Step{Filter: filter, Component: "tier " + t.Name + " " + groupsPhrase(t.SecurityGroups)}
	if r := evalRules(rules, p); r != nil {
		st.Allowed = true
		st.rule = r
		st.Rule = describeRule(r.Rule)
		st.Pos = r.Pos
		st.Detail = fmt.Sprintf("%s rule %s admits it", dir, st.Rule)
		return st
	}
	st.Reason = ReasonSGRulesMismatch
	if len(rules) == 0 {
		st.Reason = ReasonSGNoRules
		st.Detail = fmt.Sprintf("%s has no %s rules", groupsPhrase(t.SecurityGroups), dir)
		if len(t.SecurityGroups) > 1 {
			st.Detail = fmt.Sprintf("%s have no %s rules", groupsPhrase(t.SecurityGroups), dir)
		}
	} else {
		st.Detail = fmt.Sprintf("no %s rule of %s matches", dir, groupsPhrase(t.SecurityGroups))
	}
	if len(t.SecurityGroups) > 0 {
		st.Pos = t.SecurityGroups[0].Pos
	}
	return st
}

// groupsPhrase names one or several security groups for a sentence.
func groupsPhrase(gs []*model.SecurityGroup) string {
	if len(gs) == 1 {
		return "security group " + gs[0].Name
	}
	return "security groups " + groupNames(gs)
}

func groupNames(gs []*model.SecurityGroup) string {
	s := ""
	for i, g := range gs {
		if i > 0 {
			s += "+"
		}
		s += g.Name
	}
	return s
}
