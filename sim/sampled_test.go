package sim_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
	"github.com/sgchain/sgchain/sim/internal/oracle"
)

// TestSampledPacketsOnShippedScenarios draws concrete packets from the
// whole packet space (any IPv4 source, ports 0-65535, TCP, UDP, ICMP and
// other protocols) for every attacker and target tier of every shipped
// scenario, and requires that:
//
//   - the simulator's trace of the packet (sim.Network.Trace with its
//     source, protocol and port fixed) and the oracle agree on whether the
//     packet reaches the tier;
//   - when the packet reaches the tier, the trace with the same protocol
//     and port but the source left to the simulator reaches it too, so the
//     class representatives do not lose what a member of their class does.
//
// Some samples are uniform. The others take the ports and the address-block
// edges the scenario names, where classes begin and end, or addresses of
// CloudFront's pool, which an attacker's own distribution sends from.
func TestSampledPacketsOnShippedScenarios(t *testing.T) {
	files, err := filepath.Glob("../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped scenarios: %v", err)
	}
	for i, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			s, diags := model.Load(file)
			if diags.HasErrors() {
				t.Fatal(diags.Err())
			}
			checkSampledPackets(t, s, uint64(i+1), 200)
		})
	}
}

var sampledN = flag.Int("sampled.n", 100, "number of random scenarios TestSampledPacketsOnRandomScenarios samples")

// TestSampledPacketsOnRandomScenarios runs the same comparison on random
// scenarios, whose rules the whole-space samples meet more often. Run more
// of them with -sampled.n.
func TestSampledPacketsOnRandomScenarios(t *testing.T) {
	n := *sampledN
	if testing.Short() {
		n = min(n, 20)
	}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		s, diags := model.Parse("random.yaml", []byte(newGenerator(seed).scenario().yaml()))
		if diags.HasErrors() {
			continue
		}
		t.Run(fmt.Sprint("seed-", seed), func(t *testing.T) { checkSampledPackets(t, s, seed, 30) })
	}
}

// checkSampledPackets samples perTarget packets for every attacker and
// target tier of s and compares the simulator with the oracle on each.
func checkSampledPackets(t *testing.T, s *model.Scenario, seed uint64, perTarget int) {
	t.Helper()
	n := sim.Compile(s)
	o := oracle.New(s, oracle.DefaultUniverse(s))
	smp := newSampler(s, seed)
	anySource := map[string]bool{}
	checked, reachedCount := 0, 0
	for _, a := range s.Attackers {
		for _, target := range s.Tiers {
			if a.Kind == model.AttackerCompromised && a.Tier == target {
				// Trace rejects a trace to the tier the attacker runs on.
				continue
			}
			for range perTarget {
				src, proto, port := smp.packet(a)
				checked++
				req := sim.Request{From: a.Name, To: target.Name, Protocol: proto, HasProtocol: true, Port: port, HasPort: proto.HasPorts(), Src: src}
				res, err := n.Trace(req)
				if err != nil {
					t.Fatalf("trace %+v: %v", req, err)
				}
				want, path := o.Delivers(a, target.Name, src, proto, port)
				if res.Reached != want {
					t.Errorf("%s -> %s, %s %s port %d: simulator reached=%v (path %v), oracle reached=%v (path %s)",
						a.Name, target.Name, proto, src, port, res.Reached, res.Path, want, path)
					continue
				}
				if !res.Reached {
					continue
				}
				reachedCount++

				key := fmt.Sprintf("%s|%s|%d|%d", a.Name, target.Name, proto, port)
				reached, ok := anySource[key]
				if !ok {
					req.Src = netip.Addr{}
					r, err := n.Trace(req)
					if err != nil {
						t.Fatal(err)
					}
					reached = r.Reached
					anySource[key] = reached
				}
				if !reached {
					t.Errorf("%s -> %s, %s port %d: source %v reaches the tier, but no class representative does", a.Name, target.Name, proto, port, src)
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no packet was checked")
	}
	t.Logf("%d packets, %d of them reach their tier", checked, reachedCount)
}

// sampler draws packets for one scenario from a fixed seed.
type sampler struct {
	r *rand.Rand
	// ports and edges are the scenario's named ports and the addresses at
	// the edges of its CIDRs and prefix lists, each with its neighbours.
	ports []int
	edges []netip.Addr
}

func newSampler(s *model.Scenario, seed uint64) *sampler {
	smp := &sampler{r: rand.New(rand.NewPCG(seed, 0xfeed)), ports: []int{80, 443}}
	addPort := func(p int) {
		for _, q := range []int{p - 1, p, p + 1} {
			if q >= 0 && q <= 65535 {
				smp.ports = append(smp.ports, q)
			}
		}
	}
	addPrefix := func(p netip.Prefix) {
		if !p.Addr().Is4() {
			return
		}
		first := p.Addr()
		last := lastAddr(p)
		for _, a := range []netip.Addr{first.Prev(), first, first.Next(), last.Prev(), last, last.Next()} {
			if a.IsValid() && a.Is4() {
				smp.edges = append(smp.edges, a)
			}
		}
	}
	for _, g := range s.SecurityGroups {
		for _, r := range append(slices.Clone(g.Ingress), g.Egress...) {
			if r.Protocol == model.TCP || r.Protocol == model.UDP {
				addPort(r.Ports.From)
				addPort(r.Ports.To)
			}
		}
	}
	for _, t := range s.Tiers {
		for _, l := range t.Listeners {
			addPort(l.Port)
		}
		if t.PublicAddr.IsValid() {
			smp.edges = append(smp.edges, t.PublicAddr)
		}
	}
	for _, p := range scenarioPrefixes(s) {
		addPrefix(p)
	}
	addPrefix(netip.MustParsePrefix("192.0.2.0/26")) // CloudFront's stand-in pool
	return smp
}

// packet returns a source, protocol and port for attacker a. A compromised
// attacker always sends from its tier's address.
func (smp *sampler) packet(a *model.Attacker) (netip.Addr, model.Protocol, int) {
	r := smp.r
	var src netip.Addr
	switch {
	case a.Kind == model.AttackerCompromised:
		src = a.Tier.PrivateIP
	case a.Kind == model.AttackerAddressRange && r.IntN(2) == 0:
		c := a.CIDRs[r.IntN(len(a.CIDRs))]
		src = randomIn(r, c)
	case r.IntN(3) == 0:
		// CloudFront's pool, which an attacker's own distribution sends
		// from.
		src = randomIn(r, netip.MustParsePrefix("192.0.2.0/26"))
	case r.IntN(2) == 0 && len(smp.edges) > 0:
		src = smp.edges[r.IntN(len(smp.edges))]
	default:
		var b [4]byte
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		src = netip.AddrFrom4(b)
	}

	var proto model.Protocol
	switch n := r.IntN(20); {
	case n < 11:
		proto = model.TCP
	case n < 15:
		proto = model.UDP
	case n < 17:
		proto = model.ICMP
	default:
		// Any other protocol but ICMPv6, which IPv4 does not carry.
		for proto = model.Protocol(r.IntN(256)); proto == model.TCP || proto == model.UDP || proto == model.ICMP || proto == model.ICMPv6; {
			proto = model.Protocol(r.IntN(256))
		}
	}

	port := 0
	switch {
	case proto == model.ICMP:
		port = r.IntN(256)*256 + r.IntN(256)
		if r.IntN(2) == 0 {
			port = []int{8 * 256, 3*256 + 4, 0}[r.IntN(3)]
		}
	case proto.HasPorts() && r.IntN(3) > 0 && len(smp.ports) > 0:
		port = smp.ports[r.IntN(len(smp.ports))]
	case proto.HasPorts():
		port = r.IntN(65536)
	}
	return src, proto, port
}

// randomIn returns a random address of IPv4 prefix p.
func randomIn(r *rand.Rand, p netip.Prefix) netip.Addr {
	b := p.Addr().As4()
	host := 32 - p.Bits()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if host > 0 {
		v |= r.Uint32() & (1<<host - 1)
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
