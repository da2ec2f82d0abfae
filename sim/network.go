package sim

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Network is a scenario compiled for simulation: rule peers resolved to
// address sets, tiers indexed by name and by stage.
type Network struct {
	Scenario *model.Scenario

	tiers   map[string]*tierInfo
	ordered []*tierInfo // in scenario order
	pools   AddrSet     // addresses of shared AWS pools, such as CloudFront's
	// cloudFrontPool is the origin-facing pool CloudFront proxies send from.
	cloudFrontPool AddrSet
	secrets        []secretHeader
	witnessCache   map[string][]string
	// witnessErrs remembers the header pattern sets too complex to
	// enumerate, so that each fails once rather than once per entry.
	witnessErrs map[string]error
}

// tierInfo is a tier with the data the simulator looks up on every packet.
type tierInfo struct {
	*model.Tier
	stage   int // 1-based chain stage, 0 when the tier is not in the chain
	ingress []*rule
	egress  []*rule
}

// rule is a security-group rule with its peer's addresses resolved.
type rule struct {
	*model.Rule
	addrs AddrSet // for CIDR and prefix-list peers
}

// secretHeader is a secret origin custom header: the value an attacker must
// know to send it.
type secretHeader struct {
	name  string // lower case
	value string
}

// Compile prepares s for simulation. s must have loaded without errors.
func Compile(s *model.Scenario) *Network {
	n := &Network{Scenario: s, tiers: make(map[string]*tierInfo), witnessCache: make(map[string][]string)}

	for _, pl := range s.PrefixLists {
		if pl.SharedPool {
			n.pools = n.pools.Union(SetOf(pl.Entries...))
			if isCloudFrontList(pl) {
				n.cloudFrontPool = n.cloudFrontPool.Union(SetOf(pl.Entries...))
			}
		}
	}
	// Without a list of its own in a family, the pool is the stand-in
	// block the loader gives the AWS-managed list of that family.
	for i, ipv6 := range []bool{false, true} {
		if n.cloudFrontPool.Family(ipv6).IsEmpty() {
			standIn := SetOf(cloudFrontStandIn[i])
			n.cloudFrontPool = n.cloudFrontPool.Union(standIn)
			n.pools = n.pools.Union(standIn)
		}
	}

	rules := make(map[*model.Rule]*rule)
	compile := func(rs []*model.Rule) []*rule {
		out := make([]*rule, 0, len(rs))
		for _, r := range rs {
			cr, ok := rules[r]
			if !ok {
				cr = &rule{Rule: r}
				switch r.Peer.Kind {
				case model.PeerCIDR:
					cr.addrs = SetOf(r.Peer.CIDR)
				case model.PeerPrefixList:
					cr.addrs = SetOf(r.Peer.PrefixList.Entries...)
				}
				rules[r] = cr
			}
			out = append(out, cr)
		}
		return out
	}

	for i, st := range s.Chain {
		for _, t := range st.Tiers {
			n.tierInfo(t).stage = i + 1
		}
	}
	for _, t := range s.Tiers {
		ti := n.tierInfo(t)
		for _, g := range t.SecurityGroups {
			ti.ingress = append(ti.ingress, compile(g.Ingress)...)
			ti.egress = append(ti.egress, compile(g.Egress)...)
		}
		if t.CloudFront != nil {
			for _, o := range t.CloudFront.Origins {
				for _, h := range o.CustomHeaders {
					if h.Secret {
						// Distributions often send one secret to many
						// origins, and each value counts once.
						if sh := (secretHeader{strings.ToLower(h.Name), h.Value}); !slices.Contains(n.secrets, sh) {
							n.secrets = append(n.secrets, sh)
						}
					}
				}
			}
		}
	}
	n.addConditionSecrets()
	return n
}

// addConditionSecrets records as secret every literal value that an ALB
// condition or web ACL rule tests on a header whose name a distribution
// sends with a secret value. Such a value is the secret, an old one kept
// during a rotation, or a mistyped copy: in each case only the people who
// configured it know it, and it must never be printed.
func (n *Network) addConditionSecrets() {
	names := map[string]bool{}
	for _, s := range n.secrets {
		names[s.name] = true
	}
	add := func(m *model.HeaderMatch) {
		name := strings.ToLower(m.Name)
		if !names[name] {
			return
		}
		for _, v := range m.Values {
			s := secretHeader{name, v}
			if !strings.ContainsAny(v, "*?") && !slices.ContainsFunc(n.secrets, func(o secretHeader) bool { return o.name == name && strings.EqualFold(o.value, v) }) {
				n.secrets = append(n.secrets, s)
			}
		}
	}
	for _, t := range n.ordered {
		switch {
		case t.Kind == model.KindALB:
			for _, l := range t.Listeners {
				for _, r := range l.Rules {
					for _, c := range r.Conditions {
						if c.Header != nil {
							add(c.Header)
						}
					}
				}
			}
		case t.Kind == model.KindCloudFront && t.CloudFront.WAF != nil:
			for _, r := range t.CloudFront.WAF.Rules {
				if r.Header != nil {
					add(r.Header)
				}
			}
		}
	}
}

func (n *Network) tierInfo(t *model.Tier) *tierInfo {
	ti, ok := n.tiers[t.Name]
	if !ok {
		ti = &tierInfo{Tier: t}
		n.tiers[t.Name] = ti
		n.ordered = append(n.ordered, ti)
	}
	return ti
}

// Tier returns the named tier, or nil.
func (n *Network) Tier(name string) *model.Tier {
	if ti, ok := n.tiers[name]; ok {
		return ti.Tier
	}
	return nil
}

// cloudFrontStandIn is the block the model uses for CloudFront's
// origin-facing addresses when the scenario has no CloudFront prefix list.
// It matches the stand-in the loader gives the AWS-managed list.
// The first block is for IPv4, the second for IPv6.
var cloudFrontStandIn = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/26"), netip.MustParsePrefix("2001:db8:c0::/48")}

func isCloudFrontList(pl *model.PrefixList) bool {
	return strings.Contains(pl.AWSManaged, "cloudfront.origin-facing")
}

// inVPC returns the VPC of a tier's interfaces, or nil for CloudFront.
func inVPC(t *model.Tier) *model.VPC {
	if len(t.Subnets) == 0 {
		return nil
	}
	return t.Subnets[0].VPC
}
