package sim

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// legitimateClient is the address the simulator sends intended viewer
// traffic from.
var legitimateClient = netip.MustParseAddr("203.0.113.10")

// intendedInput is a packet a tier receives as part of the intended flow,
// with the hop that brought it.
type intendedInput struct {
	from sender
	pkt  Packet
	prev *Hop // the hop into the forwarding tier, nil for a viewer
}

// checkHops decides every intended hop the scenario's forwarding declares:
// each CloudFront origin, each load-balancer target and each connection a
// compute tier opens. A hop holds when some intended packet passes it.
func (n *Network) checkHops() []HopVerdict {
	var out []HopVerdict
	inputs := n.forwardedInputs()
	for _, t := range n.ordered {
		switch t.Kind {
		case model.KindCloudFront:
			viewer := Packet{Src: legitimateClient, Protocol: model.TCP, Port: 443, srcPorts: elbEphemeral, intended: true}
			fwds := n.cloudFrontForwards(t, viewer)
			for _, o := range t.CloudFront.Origins {
				out = append(out, n.proxyHop(t, o.Tier, []arrival{{admitted: true, forwards: fwds}}))
			}
		case model.KindALB, model.KindNLB:
			var arrivals []arrival
			for _, in := range n.intendedInputs(t, inputs[t]) {
				arrivals = append(arrivals, n.deliver(in.from, t, in.pkt))
			}
			for _, tg := range targetTiers(t) {
				out = append(out, n.proxyHop(t, tg, arrivals))
			}
		default:
			for _, c := range t.ConnectsTo {
				to := n.tiers[c.Tier.Name]
				p := connectionPacket(t, to, c)
				a := n.deliver(sender{name: t.Name, tier: t}, to, p)
				v := HopVerdict{From: t.Name, To: to.Name, Verdict: Holds, Packet: &p, Hops: []Hop{a.hop}}
				// As for a proxy's hop, a connection the receiver admits
				// holds even when an ALB answers it with a fixed response:
				// the model cannot know the headers the tier's requests
				// carry, so its listener rules cannot decide the hop.
				if !a.admitted {
					v.Verdict, v.Reason = Broken, a.hop.Reason
				}
				out = append(out, v)
			}
		}
	}
	return out
}

// proxyHop decides the hop from a forwarding tier to one of its targets,
// given what the tier did with each intended input.
func (n *Network) proxyHop(from *tierInfo, to *model.Tier, arrivals []arrival) HopVerdict {
	v := HopVerdict{From: from.Name, To: to.Name, Verdict: Broken}
	var fallback *HopVerdict
	for _, a := range arrivals {
		var prefix []Hop
		if a.hop.To != "" {
			prefix = []Hop{a.hop}
		}
		if !a.admitted || len(a.forwards) == 0 {
			if fallback == nil {
				pkt := a.hop.Packet
				if a.hop.Sent != nil {
					pkt = *a.hop.Sent
				}
				fallback = &HopVerdict{Packet: &pkt, Hops: prefix, Reason: a.hop.Reason}
			}
			continue
		}
		for _, f := range a.forwards {
			if f.to.Tier != to {
				continue
			}
			next := n.deliver(f.from, f.to, f.pkt)
			next.hop.Steps = append(append([]Step(nil), f.steps...), next.hop.Steps...)
			pkt := f.pkt
			if next.admitted {
				v.Verdict, v.Packet, v.Hops, v.Reason = Holds, &pkt, append(prefix, next.hop), ""
				return v
			}
			if v.Packet == nil {
				v.Packet, v.Hops, v.Reason = &pkt, append(prefix, next.hop), next.hop.Reason
			}
		}
	}
	if v.Packet == nil && fallback != nil {
		v.Packet, v.Hops, v.Reason = fallback.Packet, fallback.Hops, fallback.Reason
	}
	return v
}

// forwardedInputs returns, for every tier, the packets that distributions,
// Network Load Balancers and compute tiers (through connects_to) send it in
// the intended flow.
func (n *Network) forwardedInputs() map[*tierInfo][]intendedInput {
	out := map[*tierInfo][]intendedInput{}
	for _, u := range n.ordered {
		switch u.Kind {
		case model.KindCloudFront:
			viewer := Packet{Src: legitimateClient, Protocol: model.TCP, Port: 443, srcPorts: elbEphemeral, intended: true}
			for _, f := range n.cloudFrontForwards(u, viewer) {
				out[f.to] = append(out[f.to], intendedInput{from: f.from, pkt: f.pkt})
			}
		default:
			// A compute tier that connects to a load balancer, as an
			// application calls an internal ALB.
			for _, c := range u.ConnectsTo {
				t := n.tiers[c.Tier.Name]
				if !t.Kind.IsLoadBalancer() {
					continue
				}
				p := connectionPacket(u, t, c)
				out[t] = append(out[t], intendedInput{from: sender{name: u.Name, tier: u}, pkt: p})
			}
		}
		if u.Kind == model.KindNLB {
			for _, l := range u.Listeners {
				for _, tg := range l.Default.Forward {
					t := n.tiers[tg.Tier.Name]
					p := Packet{Src: legitimateClient, Dst: t.PrivateIP, Protocol: model.TCP, Port: tg.Port, Identity: u.SecurityGroups,
						dstGroups: t.SecurityGroups, srcPorts: elbEphemeral, intended: true}
					if !tg.PreserveClientIP {
						p.Src, p.srcPorts = u.PrivateIP, clientPorts(u)
					}
					out[t] = append(out[t], intendedInput{from: sender{name: u.Name, tier: u, autoTracked: true}, pkt: p})
				}
			}
		}
	}
	return out
}

// intendedInputs returns the packets a load balancer receives in the
// intended flow: what the distributions and load balancers that name it as
// origin or target send, or a client's request on each listener when no
// distribution or load balancer does. Connections that tiers open to t add
// to the client's requests rather than replace them, so that a broken call
// from a tier outside the chain does not hide the clients' traffic.
func (n *Network) intendedInputs(t *tierInfo, forwarded []intendedInput) []intendedInput {
	out := forwarded
	if slices.ContainsFunc(out, func(in intendedInput) bool {
		return in.from.public || (in.from.tier != nil && in.from.tier.Kind.IsLoadBalancer())
	}) {
		return out
	}

	src, dst, public := legitimateClient, t.PublicAddr, true
	if !t.PublicIP {
		src, dst, public = internalClient(t), t.PrivateIP, false
	}
	for _, l := range t.Listeners {
		proto := model.TCP
		if strings.EqualFold(l.Protocol, "udp") {
			proto = model.UDP
		}
		p := Packet{Src: src, Dst: dst, Protocol: proto, Port: l.Port, srcPorts: elbEphemeral, intended: true}
		out = append(out, intendedInput{from: sender{name: "client", public: public}, pkt: p})
	}
	return out
}

// internalClient returns the address of a client inside the VPC that calls
// an internal load balancer no tier forwards to. It is the VPC's first host
// address after the ones AWS reserves.
func internalClient(t *tierInfo) netip.Addr {
	v := inVPC(t.Tier)
	if v == nil {
		return legitimateClient
	}
	a := v.CIDR.Masked().Addr()
	for range 4 {
		a = a.Next()
	}
	return a
}

// targetTiers returns the distinct tiers a load balancer forwards to, in
// listener order.
func targetTiers(t *tierInfo) []*model.Tier {
	var out []*model.Tier
	seen := map[*model.Tier]bool{}
	add := func(a *model.Action) {
		if a == nil {
			return
		}
		for _, tg := range a.Forward {
			if !seen[tg.Tier] {
				seen[tg.Tier] = true
				out = append(out, tg.Tier)
			}
		}
	}
	for _, l := range t.Listeners {
		for _, r := range l.Rules {
			add(r.Action)
		}
		add(l.Default)
	}
	return out
}

// connectionPacket returns the first packet of a connection that tier u
// opens by design. It goes to the destination's private address, or to its
// public address when the connection sets address: public, as a client that
// calls an internet-facing load balancer by its public name does.
func connectionPacket(u, to *tierInfo, c *model.Connection) Packet {
	p := Packet{Src: u.PrivateIP, Dst: to.PrivateIP, Protocol: c.Protocol, Port: c.Port, Identity: u.SecurityGroups,
		dstGroups: to.SecurityGroups, srcPorts: clientPorts(u), intended: true}
	if c.Public || to.Kind == model.KindAWSService {
		p.Dst, p.dstGroups = to.PublicAddr, nil
	}
	return p
}
