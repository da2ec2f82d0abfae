package sim

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// DefaultRuleQuota is AWS's default quota of inbound, and separately of
// outbound, rules per security group, counted per address family.
const DefaultRuleQuota = 60

// warnings returns the design warnings: restrictions shadowed by a broader
// rule, and security groups over the rules quota.
func (n *Network) warnings() []Finding {
	var out []Finding
	out = append(out, n.shadowWarnings()...)
	out = append(out, n.quotaWarnings()...)
	out = append(out, n.publicHeaderWarnings()...)
	return out
}

// publicHeaderWarnings finds origin custom headers that an ALB rule checks
// before forwarding but that are not marked secret. The model treats such a
// value as known to every attacker, which is right for a constant anyone
// could guess and wrong for a shared secret someone forgot to mark.
func (n *Network) publicHeaderWarnings() []Finding {
	var out []Finding
	for _, cf := range n.ordered {
		if cf.Kind != model.KindCloudFront {
			continue
		}
		for _, o := range cf.CloudFront.Origins {
			alb := n.tiers[o.Tier.Name]
			for _, h := range o.CustomHeaders {
				if h.Secret {
					continue
				}
				rule := checkingRule(alb, h)
				if rule == nil {
					continue
				}
				f := Finding{Kind: KindWarning, Code: "header-not-secret", Tier: alb.Name, Pos: h.Pos, Path: []string{cf.Name, alb.Name},
					Rules: []string{o.Path, rule.Path}}
				f.Message = fmt.Sprintf("origin %s of %s sends header %s without secret: true, and %s forwards on it (%s); the model treats the value as known to every attacker, so mark it secret if only your distribution should know it",
					o.Name, cf.Name, h.Name, alb.Name, rule.Path)
				out = append(out, f)
			}
		}
	}
	return out
}

// checkingRule returns the first forwarding ALB rule of t with a header
// condition that h's value meets.
func checkingRule(t *tierInfo, h *model.CustomHeader) *model.ListenerRule {
	if t.Kind != model.KindALB {
		return nil
	}
	p := Packet{Headers: []Header{{Name: h.Name, Value: h.Value}}}
	for _, l := range t.Listeners {
		for _, r := range l.Rules {
			if !r.Action.IsForward() {
				continue
			}
			for _, c := range r.Conditions {
				if c.Header != nil && strings.EqualFold(c.Header.Name, h.Name) && headerMatches(c.Header, &p) {
					return r
				}
			}
		}
	}
	return nil
}

// shadowWarnings finds, for every tier, rules whose restriction has no effect
// because another rule on the same interface admits a superset of their
// packets. Security groups on one interface pool their rules, so the broader
// rule may sit in another group.
func (n *Network) shadowWarnings() []Finding {
	var out []Finding
	seen := map[string]bool{}
	for _, t := range n.ordered {
		for _, rules := range [][]*rule{t.ingress, t.egress} {
			for _, narrow := range rules {
				if seen[narrow.Path] {
					continue
				}
				for _, broad := range rules {
					if broad == narrow || !shadows(broad, narrow, inVPC(t.Tier)) {
						continue
					}
					seen[narrow.Path] = true
					f := Finding{Kind: KindWarning, Code: "shadowed-rule", Tier: t.Name, Pos: narrow.Pos,
						Rules: []string{narrow.Path, broad.Path}}
					f.Message = fmt.Sprintf("%s is shadowed on tier %s by %s: the broader rule admits every packet the narrower one restricts, so the restriction has no effect",
						describeRule(narrow.Rule), t.Name, describeRule(broad.Rule))
					out = append(out, f)
					break
				}
			}
		}
	}
	return out
}

// shadows reports whether broad admits every packet narrow admits, with a
// strictly larger address set. A security-group reference is covered by a
// CIDR rule that holds the whole VPC, where the referenced interfaces live.
func shadows(broad, narrow *rule, vpc *model.VPC) bool {
	if broad.Protocol != model.AllProtocols && broad.Protocol != narrow.Protocol {
		return false
	}
	if broad.Protocol.HasPorts() && !(broad.Ports.From <= narrow.Ports.From && narrow.Ports.To <= broad.Ports.To) {
		return false
	}
	if broad.Peer.Kind == model.PeerSecurityGroup {
		return false
	}
	if narrow.Peer.Kind == model.PeerSecurityGroup {
		return vpc != nil && broad.addrs.Covers(SetOf(vpc.CIDR))
	}
	return broad.addrs.Covers(narrow.addrs) && !narrow.addrs.Covers(broad.addrs)
}

// quotaWarnings finds security groups whose rules, with each prefix-list
// reference weighted as AWS counts it, exceed the default quota.
func (n *Network) quotaWarnings() []Finding {
	var out []Finding
	for _, g := range n.Scenario.SecurityGroups {
		for _, dir := range []model.Direction{model.Ingress, model.Egress} {
			rules := g.Ingress
			if dir == model.Egress {
				rules = g.Egress
			}
			counts := map[model.Family]int{}
			weighted := map[model.Family]bool{}
			for _, r := range rules {
				switch r.Peer.Kind {
				case model.PeerCIDR:
					counts[familyOf(r.Peer.CIDR)]++
				case model.PeerPrefixList:
					counts[r.Peer.PrefixList.Family] += r.Peer.PrefixList.Weight
					weighted[r.Peer.PrefixList.Family] = true
				default:
					counts[model.IPv4]++
				}
			}
			for _, fam := range []model.Family{model.IPv4, model.IPv6} {
				if counts[fam] <= DefaultRuleQuota {
					continue
				}
				f := Finding{Kind: KindWarning, Code: "rule-quota", Pos: g.Pos, Rules: []string{"security_groups." + g.Name}}
				how := ""
				if weighted[fam] {
					how = " once each prefix-list reference counts at the list's weight"
				}
				f.Message = fmt.Sprintf("security group %s has %d %s %s rules%s, over AWS's default quota of %d; AWS rejects the rules unless the quota is raised",
					g.Name, counts[fam], dir, fam, how, DefaultRuleQuota)
				out = append(out, f)
			}
		}
	}
	return out
}

func familyOf(p netip.Prefix) model.Family {
	if p.Addr().Is4() {
		return model.IPv4
	}
	return model.IPv6
}
