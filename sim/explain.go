package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// explainSkip returns sentences that explain why a skip path exists, naming the
// AWS behavior behind each hop that a reviewer might not expect.
func (n *Network) explainSkip(a *model.Attacker, path []*flowState, hops []Hop) []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}

	for i, h := range hops {
		to := path[i+1]
		if h.To == DistributionNode(a.Name) {
			add("Any AWS account can create a CloudFront distribution whose origin is your public endpoint; it sends from the same origin-facing pool as your own distribution.")
			continue
		}
		for _, st := range h.Steps {
			if !st.Allowed || st.Filter != FilterIngress {
				continue
			}
			r := st.rule
			if r == nil {
				continue
			}
			switch r.Peer.Kind {
			case model.PeerPrefixList:
				if r.Peer.PrefixList.SharedPool {
					add(fmt.Sprintf("Prefix list %s is %s, a pool shared by every customer of the service, so %s admits other accounts' traffic too; only a secret header checked by an ALB listener rule, or a CloudFront VPC origin, tells your distribution apart.",
						r.Peer.PrefixList.Name, r.Peer.PrefixList.AWSManaged, r.Path))
				}
			case model.PeerCIDR:
				g := n.natGatewayWithAddr(h.Packet.Src)
				switch {
				case a.Kind == model.AttackerCompromised && g != nil && r.addrs.Contains(h.Packet.Src):
					// A public NAT gateway gives everything it forwards its
					// Elastic IP address, so the rule cannot tell the tiers
					// behind the gateway apart.
					add(fmt.Sprintf("Rule %s admits %s, which contains the Elastic IP address of NAT gateway %s. Every tier whose subnet routes to the internet through %s sends from that address, %s included.",
						r.Path, r.Peer.CIDR, g.Name, g.Name, a.Tier.Name))
				case a.Kind == model.AttackerCompromised && r.addrs.Contains(h.Packet.Src):
					add(fmt.Sprintf("Rule %s admits %s, which contains the address of %s; a security-group reference to the tier before would admit only that tier.",
						r.Path, r.Peer.CIDR, a.Tier.Name))
				case h.Packet.Src.IsValid() && PublicIPv4.Contains(h.Packet.Src) && !n.pools.Contains(h.Packet.Src):
					add(fmt.Sprintf("Rule %s admits the public range %s; an internet attacker may send from any public address, including this one.",
						r.Path, r.Peer.CIDR))
				}
			}
		}
		if to.tier != nil && to.tier.Kind == model.KindNLB && hasForwardTo(path, i+1) {
			add(fmt.Sprintf("Network Load Balancer %s forwards at layer 4: it cannot check an HTTP header, so a secret header does not protect what is behind it.", to.tier.Name))
		}
		for _, hd := range h.Packet.Headers {
			// Only a distribution of the scenario adds a secret value on its
			// own, so a secret the attacker sends is one it knows.
			fromAttacker := h.From == a.Name || h.From == DistributionNode(a.Name)
			switch {
			case fromAttacker && hd.Secret:
				add(fmt.Sprintf("The attacker knows the secret value of %s, so the header check passes.", hd.Name))
			case fromAttacker && n.isPublicOriginHeader(hd):
				add(fmt.Sprintf("The attacker sends %s with the value your distribution sends, which is not marked secret: true, so the model treats it as known to everyone.", hd.Name))
			}
		}
	}
	return out
}

// hasForwardTo reports whether the path goes on past position i.
func hasForwardTo(path []*flowState, i int) bool { return i+1 < len(path) }

// isPublicOriginHeader reports whether h carries the value that some
// distribution sends as an origin custom header not marked secret.
func (n *Network) isPublicOriginHeader(h Header) bool {
	for _, t := range n.ordered {
		if t.Kind != model.KindCloudFront {
			continue
		}
		for _, o := range t.CloudFront.Origins {
			for _, c := range o.CustomHeaders {
				if !c.Secret && strings.EqualFold(c.Name, h.Name) && strings.EqualFold(c.Value, h.Value) {
					return true
				}
			}
		}
	}
	return false
}

// natGatewayWithAddr returns the public NAT gateway whose Elastic IP
// address is addr, or nil.
func (n *Network) natGatewayWithAddr(addr netip.Addr) *model.NATGateway {
	for _, v := range n.Scenario.VPCs {
		for _, g := range v.NATGateways {
			if !g.Private && g.PublicAddr == addr {
				return g
			}
		}
	}
	return nil
}
