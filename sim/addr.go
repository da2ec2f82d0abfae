package sim

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/seancfoley/ipaddress-go/ipaddr"
)

// Interval is an inclusive range of addresses of one family.
type Interval struct {
	Lo, Hi netip.Addr
}

// Contains reports whether a lies in iv.
func (iv Interval) Contains(a netip.Addr) bool {
	return a.BitLen() == iv.Lo.BitLen() && iv.Lo.Compare(a) <= 0 && a.Compare(iv.Hi) <= 0
}

// String renders iv as an address when it holds one, as a prefix when it is
// exactly one, and as lo-hi otherwise.
func (iv Interval) String() string {
	if iv.Lo == iv.Hi {
		return iv.Lo.String()
	}
	if p, ok := iv.prefix(); ok {
		return p.String()
	}
	return iv.Lo.String() + "-" + iv.Hi.String()
}

func (iv Interval) prefix() (netip.Prefix, bool) {
	rng := ipaddr.NewSequentialRange(ipaddr.NewIPAddressFromNetNetIPAddr(iv.Lo), ipaddr.NewIPAddressFromNetNetIPAddr(iv.Hi))
	bits := rng.GetPrefixLenForSingleBlock()
	if bits == nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(iv.Lo, bits.Len()), true
}

// PrefixInterval returns the addresses of p as an interval: the masked
// address up to the address with every host bit set. Compile calls it once
// per rule, so it works on the address bytes directly.
func PrefixInterval(p netip.Prefix) Interval {
	if !p.IsValid() {
		// netip.Prefix values from the loader are always valid.
		panic("sim: invalid prefix " + p.String())
	}
	p = p.Masked()
	lo := p.Addr()
	b := lo.As16()
	offset := 0
	if lo.Is4() {
		offset = 96 // the IPv4 address is in the last 4 of the 16 bytes
	}
	for i := offset + p.Bits(); i < 128; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	hi := netip.AddrFrom16(b)
	if lo.Is4() {
		hi = hi.Unmap()
	}
	return Interval{Lo: lo, Hi: hi}
}

// AddrSet is a set of addresses of one or both families, kept as sorted,
// disjoint and non-adjacent intervals. The zero value is the empty set.
type AddrSet struct {
	ivs []Interval
}

// SetOf returns the set of the addresses of the given prefixes.
func SetOf(prefixes ...netip.Prefix) AddrSet {
	ivs := make([]Interval, 0, len(prefixes))
	for _, p := range prefixes {
		ivs = append(ivs, PrefixInterval(p))
	}
	return normalize(ivs)
}

// Intervals returns the set's intervals in ascending order, IPv4 first.
func (s AddrSet) Intervals() []Interval { return s.ivs }

// IsEmpty reports whether s has no address.
func (s AddrSet) IsEmpty() bool { return len(s.ivs) == 0 }

// Contains reports whether a is in s.
func (s AddrSet) Contains(a netip.Addr) bool {
	i, found := slices.BinarySearchFunc(s.ivs, a, func(iv Interval, a netip.Addr) int {
		return compareAddr(iv.Lo, a)
	})
	if found {
		return true
	}
	return i > 0 && s.ivs[i-1].Contains(a)
}

// Union returns the addresses in s or t.
func (s AddrSet) Union(t AddrSet) AddrSet {
	return normalize(append(slices.Clone(s.ivs), t.ivs...))
}

// Subtract returns the addresses in s and not in t.
func (s AddrSet) Subtract(t AddrSet) AddrSet {
	var out []Interval
	for _, iv := range s.ivs {
		rest := []Interval{iv}
		for _, cut := range t.ivs {
			rest = subtractInterval(rest, cut)
		}
		out = append(out, rest...)
	}
	return normalize(out)
}

// Covers reports whether every address of t is in s.
func (s AddrSet) Covers(t AddrSet) bool { return t.Subtract(s).IsEmpty() }

// Equal reports whether s and t hold the same addresses.
func (s AddrSet) Equal(t AddrSet) bool { return slices.Equal(s.ivs, t.ivs) }

func (s AddrSet) String() string {
	if len(s.ivs) == 0 {
		return "(none)"
	}
	out := ""
	for i, iv := range s.ivs {
		if i > 0 {
			out += ", "
		}
		out += iv.String()
	}
	return out
}

// subtractInterval removes cut from each interval of ivs.
//
//	iv:        [lo ............. hi]
//	cut:            [clo .. chi]
//	result:    [lo .. clo-1]  [chi+1 .. hi]
func subtractInterval(ivs []Interval, cut Interval) []Interval {
	var out []Interval
	for _, iv := range ivs {
		if iv.Lo.BitLen() != cut.Lo.BitLen() || cut.Hi.Less(iv.Lo) || iv.Hi.Less(cut.Lo) {
			out = append(out, iv)
			continue
		}
		if iv.Lo.Less(cut.Lo) {
			out = append(out, Interval{iv.Lo, cut.Lo.Prev()})
		}
		if cut.Hi.Less(iv.Hi) {
			out = append(out, Interval{cut.Hi.Next(), iv.Hi})
		}
	}
	return out
}

// compareAddr orders IPv4 before IPv6, then by address.
func compareAddr(a, b netip.Addr) int {
	return cmp.Or(cmp.Compare(a.BitLen(), b.BitLen()), a.Compare(b))
}

// normalize sorts ivs and merges overlapping and adjacent intervals.
func normalize(ivs []Interval) AddrSet {
	if len(ivs) == 0 {
		return AddrSet{}
	}
	ivs = slices.Clone(ivs)
	slices.SortFunc(ivs, func(a, b Interval) int { return compareAddr(a.Lo, b.Lo) })
	out := ivs[:1]
	for _, iv := range ivs[1:] {
		last := &out[len(out)-1]
		sameFamily := last.Lo.BitLen() == iv.Lo.BitLen()
		// Merge when iv starts at or before the address after last.Hi.
		if sameFamily && (iv.Lo.Compare(last.Hi) <= 0 || (last.Hi.Next().IsValid() && iv.Lo == last.Hi.Next())) {
			if last.Hi.Less(iv.Hi) {
				last.Hi = iv.Hi
			}
			continue
		}
		out = append(out, iv)
	}
	return AddrSet{ivs: out}
}

// Atoms splits the addresses of domain into the coarsest intervals such that
// each cut set either contains a whole atom or none of it. Two addresses in
// the same atom are therefore matched alike by every predicate whose address
// set is among cuts.
func Atoms(domain AddrSet, cuts []AddrSet) []Interval {
	var bounds []netip.Addr
	for _, c := range cuts {
		for _, iv := range c.ivs {
			bounds = append(bounds, iv.Lo)
			if next := iv.Hi.Next(); next.IsValid() && next.BitLen() == iv.Hi.BitLen() {
				bounds = append(bounds, next)
			}
		}
	}
	slices.SortFunc(bounds, compareAddr)
	bounds = slices.Compact(bounds)

	var atoms []Interval
	for _, iv := range domain.ivs {
		// Find the first boundary strictly above iv.Lo.
		i, _ := slices.BinarySearchFunc(bounds, iv.Lo, compareAddr)
		lo := iv.Lo
		for ; i < len(bounds); i++ {
			b := bounds[i]
			if b.BitLen() != lo.BitLen() || iv.Hi.Less(b) {
				break
			}
			if b == lo {
				continue
			}
			atoms = append(atoms, Interval{lo, b.Prev()})
			lo = b
		}
		atoms = append(atoms, Interval{lo, iv.Hi})
	}
	return atoms
}

// Reserved IPv4 blocks that are never the source of internet traffic.
var nonPublicIPv4 = SetOf(
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
)

// PublicIPv4 is the IPv4 space an internet host may send from: everything
// but private, shared, loopback, link-local, multicast and reserved blocks.
// The documentation blocks stay in, because scenarios use them as stand-ins
// for public addresses.
var PublicIPv4 = SetOf(netip.MustParsePrefix("0.0.0.0/0")).Subtract(nonPublicIPv4)

// PublicIPv6 is the IPv6 space an internet host may send from: the global
// unicast block 2000::/3.
var PublicIPv6 = SetOf(netip.MustParsePrefix("2000::/3"))

// Family returns the part of s in one address family.
func (s AddrSet) Family(ipv6 bool) AddrSet {
	if ipv6 {
		return s.Subtract(SetOf(netip.MustParsePrefix("0.0.0.0/0")))
	}
	return s.Subtract(SetOf(netip.MustParsePrefix("::/0")))
}

// exampleAddr and exampleAddr6 are the source addresses the simulator
// prefers for internet traffic: addresses of the documentation blocks
// TEST-NET-3 (RFC 5737) and 2001:db8::/32 (RFC 3849).
var (
	exampleAddr  = netip.MustParseAddr("203.0.113.7")
	exampleAddr6 = netip.MustParseAddr("2001:db8:203::7")
)

// exampleFirst moves the atom holding exampleAddr to the front, so that the
// first packet of a class enumeration, which traces and findings show, comes
// from a documentation address where the rules allow it.
func exampleFirst(atoms []Interval) []Interval {
	for i, a := range atoms {
		if a.Contains(exampleAddr) || a.Contains(exampleAddr6) {
			out := append([]Interval{a}, atoms[:i]...)
			return append(out, atoms[i+1:]...)
		}
	}
	return atoms
}

// representative returns the address the simulator sends from for an atom:
// 203.0.113.7 or 2001:db8:203::7 when the atom contains it (the addresses
// the documentation examples use), otherwise the first address that does not
// end in a zero byte, such as a network address, where the atom has one.
func representative(iv Interval) netip.Addr {
	for _, a := range []netip.Addr{exampleAddr, exampleAddr6} {
		if iv.Contains(a) {
			return a
		}
	}
	lo := iv.Lo
	if b := lo.AsSlice(); b[len(b)-1] == 0 && lo != iv.Hi {
		return lo.Next()
	}
	return lo
}
