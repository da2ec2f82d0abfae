package oracle

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Blocks are the /28 address blocks whose every address the default
// universe holds. Random scenarios draw their CIDRs from inside them, or
// from the larger blocks that Probes stand for.
var Blocks = []netip.Prefix{
	netip.MustParsePrefix("203.0.113.0/28"),    // public
	netip.MustParsePrefix("198.51.100.128/28"), // public
	netip.MustParsePrefix("192.0.2.0/28"),      // in CloudFront's stand-in pool 192.0.2.0/26
	netip.MustParsePrefix("10.0.0.0/28"),       // a public subnet of the test VPC
	netip.MustParsePrefix("10.0.10.0/28"),      // a private subnet of the test VPC
	netip.MustParsePrefix("172.16.5.0/28"),     // private, outside the VPC
}

// Probes are single addresses outside the blocks: one in each block's /24
// (and in the /26 of the CloudFront stand-in) but outside the /28, one in
// 198.51.100.0/25 beside the block's /25, and one public address far from
// all of them. A rule on a block's /24 or /25 or on 0.0.0.0/0 therefore
// splits nothing the universe cannot see. 198.51.100.100 is above the
// public addresses the loader gives tiers and NAT gateways in small
// scenarios.
var Probes = []netip.Addr{
	netip.MustParseAddr("203.0.113.200"),
	netip.MustParseAddr("198.51.100.200"),
	netip.MustParseAddr("198.51.100.100"),
	netip.MustParseAddr("192.0.2.33"),
	netip.MustParseAddr("192.0.2.200"),
	netip.MustParseAddr("10.0.0.200"),
	netip.MustParseAddr("10.0.10.200"),
	netip.MustParseAddr("172.16.5.200"),
	netip.MustParseAddr("100.20.30.40"),
}

// Blocks6 are the IPv6 blocks whose every address the default universe
// holds, /124s with 16 addresses each, as Blocks are for IPv4.
var Blocks6 = []netip.Prefix{
	netip.MustParsePrefix("2001:db8:203::/124"),        // public
	netip.MustParsePrefix("2001:db8:c0::/124"),         // in CloudFront's IPv6 stand-in pool 2001:db8:c0::/48
	netip.MustParsePrefix("2600:1f18:1234:5600::/124"), // the first addresses of the test VPC's first public subnet
	netip.MustParsePrefix("2600:1f18:1234:560a::/124"), // the first addresses of its first private subnet
}

// Probes6 are single IPv6 addresses outside Blocks6. There is one in each
// block's /64 but outside the /124, and one in 2001:db8::/32 outside the
// blocks' /48s. One lies in the test VPC's /56 outside its subnets' /64s,
// one in the second test VPC's /56, and one far from all of them.
var Probes6 = []netip.Addr{
	netip.MustParseAddr("2001:db8:203::100"),
	netip.MustParseAddr("2001:db8:c0::100"),
	netip.MustParseAddr("2600:1f18:1234:5600::100"),
	netip.MustParseAddr("2600:1f18:1234:560a::100"),
	netip.MustParseAddr("2001:db8:1::1"),
	netip.MustParseAddr("2600:1f18:1234:56ff::1"),
	netip.MustParseAddr("2600:1f18:1234:5700::100"),
	netip.MustParseAddr("2a05:d000::1"),
}

// DefaultUniverse returns the universe for a scenario whose CIDRs lie in
// Blocks or Blocks6 or cover them whole. It holds every address of Blocks,
// Blocks6, Probes and Probes6,
// and TCP and UDP ports 0 to 63 with every port the scenario names and the
// port after each rule's range. It holds a few ICMP and ICMPv6 messages
// with the ends of each such rule's range, and TCP, UDP, ICMP, every other protocol a
// rule names and one that no rule names. For each header name the scenario
// tests or sets, it holds values built from the name's patterns.
func DefaultUniverse(s *model.Scenario) Universe {
	var u Universe
	for _, b := range Blocks {
		for a := b.Addr(); b.Contains(a); a = a.Next() {
			u.Sources = append(u.Sources, a)
		}
	}
	u.Sources = append(u.Sources, Probes...)
	for _, b := range Blocks6 {
		for a := b.Addr(); b.Contains(a); a = a.Next() {
			u.Sources = append(u.Sources, a)
		}
	}
	u.Sources = append(u.Sources, Probes6...)

	ports := map[int]bool{80: true, 443: true, 1024: true, 65535: true}
	for p := range 64 {
		ports[p] = true
	}
	icmp := map[int]bool{0: true, 3*256 + 4: true, 8 * 256: true, 11 * 256: true}
	// Destination unreachable (port), packet too big, echo request and
	// echo reply.
	icmp6 := map[int]bool{0: true, 1*256 + 4: true, 2 * 256: true, 128 * 256: true, 129 * 256: true}
	protos := map[model.Protocol]bool{model.TCP: true, model.UDP: true, model.ICMP: true}
	addRange := func(m map[int]bool, r model.PortRange) {
		m[r.From] = true
		m[r.To] = true
		if r.To < 65535 {
			m[r.To+1] = true
		}
	}
	for _, g := range s.SecurityGroups {
		for _, r := range append(slices.Clone(g.Ingress), g.Egress...) {
			switch r.Protocol {
			case model.TCP, model.UDP:
				addRange(ports, r.Ports)
			case model.ICMP:
				addRange(icmp, r.Ports)
			case model.ICMPv6:
				// The model sends ICMPv6 over IPv6 only.
				addRange(icmp6, r.Ports)
			case model.AllProtocols:
			default:
				protos[r.Protocol] = true
			}
		}
	}
	for _, acl := range s.NetworkACLs {
		for _, r := range append(slices.Clone(acl.Ingress), acl.Egress...) {
			switch r.Protocol {
			case model.TCP, model.UDP:
				addRange(ports, r.Ports)
			case model.ICMP:
				addRange(icmp, r.Ports)
			case model.ICMPv6:
				addRange(icmp6, r.Ports)
			case model.AllProtocols:
			default:
				protos[r.Protocol] = true
			}
		}
	}
	for _, t := range s.Tiers {
		for _, l := range t.Listeners {
			ports[l.Port] = true
			for _, a := range listenerActions(l) {
				for _, tg := range a.Forward {
					ports[tg.Port] = true
				}
			}
		}
		for _, c := range t.ConnectsTo {
			ports[c.Port] = true
		}
		if t.CloudFront != nil {
			for _, org := range t.CloudFront.Origins {
				for _, p := range originPorts(org) {
					ports[p] = true
				}
			}
		}
	}
	// One protocol that no rule names stands for all of them.
	for p := model.Protocol(132); ; p++ {
		if !protos[p] {
			protos[p] = true
			break
		}
	}

	u.Ports = sortedKeys(ports)
	u.ICMP = sortedKeys(icmp)
	u.ICMPv6 = sortedKeys(icmp6)
	for p := range protos {
		u.Protocols = append(u.Protocols, p)
	}
	slices.Sort(u.Protocols)
	u.Headers = headerValues(s)
	return u
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// headerValues collects, by lower-case name, the patterns that web ACL
// rules and ALB conditions test and the values distributions set. From each
// text it derives candidate values: the text itself and in upper case, and
// the text with each * matching nothing or "zz" and each ? matching "q" or
// any byte of the name's texts.
// The empty value and one that matches no pattern are candidates too. Two candidates that every pattern
// of the name matches alike and that contain the same texts are
// interchangeable, so only the first of them in byte order is kept; this
// keeps the number of header combinations small. Containing a pattern's or
// value's text counts too, because a value that contains a secret is one
// only the secret's holders can send.
func headerValues(s *model.Scenario) map[string][]string {
	texts := map[string][]string{}
	patterns := map[string][]string{}
	add := func(name string, isPattern bool, values ...string) {
		key := strings.ToLower(name)
		texts[key] = append(texts[key], values...)
		if isPattern {
			patterns[key] = append(patterns[key], values...)
		}
	}
	for _, t := range s.Tiers {
		if t.CloudFront != nil {
			if w := t.CloudFront.WAF; w != nil {
				for _, r := range w.Rules {
					if r.Header != nil {
						add(r.Header.Name, true, r.Header.Values...)
					}
				}
			}
			for _, org := range t.CloudFront.Origins {
				for _, h := range org.CustomHeaders {
					add(h.Name, false, h.Value)
				}
			}
		}
		for _, l := range t.Listeners {
			for _, r := range l.Rules {
				for _, c := range r.Conditions {
					if c.Header != nil {
						add(c.Header.Name, true, c.Header.Values...)
					}
				}
			}
		}
	}
	out := map[string][]string{}
	for name, vs := range texts {
		// letters are the bytes of the name's texts. A ? replaced by each
		// of them yields values that also match another pattern, such as
		// "beta" for both "?eta" and "b*a", which one rule may require.
		letters := map[byte]bool{'q': true}
		for _, v := range vs {
			for i := range len(v) {
				if v[i] != '*' && v[i] != '?' {
					letters[v[i]] = true
				}
			}
		}
		set := map[string]bool{"": true, "nomatch-0": true}
		for _, v := range vs {
			set[v] = true
			set[strings.ToUpper(v)] = true
			for c := range letters {
				empty := strings.ReplaceAll(strings.ReplaceAll(v, "*", ""), "?", string(c))
				set[empty] = true
				set[strings.ToUpper(empty)] = true
				set[strings.ReplaceAll(strings.ReplaceAll(v, "*", "zz"), "?", string(c))] = true
			}
		}
		var candidates []string
		for v := range set {
			candidates = append(candidates, v)
		}
		slices.Sort(candidates)
		kept := map[string]bool{}
		for _, v := range candidates {
			var sig strings.Builder
			for _, p := range patterns[name] {
				sig.WriteString(strconv.FormatBool(glob(strings.ToLower(p), strings.ToLower(v))))
			}
			// Containment of any literal text matters: the simulator
			// forbids values that contain a secret, and counts literal
			// values tested on a secret header as secrets.
			for _, text := range texts[name] {
				sig.WriteString(strconv.FormatBool(strings.Contains(strings.ToLower(v), strings.ToLower(text))))
			}
			if !kept[sig.String()] {
				kept[sig.String()] = true
				out[name] = append(out[name], v)
			}
		}
	}
	return out
}
