package sim_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

// The fuzz targets in this file check the address partition that the
// simulator's packet classes rest on. They compare sim.AddrSet and sim.Atoms
// with a naive model: a set is the list of prefixes it was built from, and
// an address is in it when netip.Prefix.Contains says so for one of them.
// Membership can change only at a prefix's first address or just after its
// last one, so checking every such boundary address decides the comparison
// for the whole address space.

// fuzzSets is a fuzz input decoded into a domain and up to eight cuts, each
// kept both as an AddrSet and as the prefixes it was built from.
type fuzzSets struct {
	domain     []netip.Prefix
	cuts       [][]netip.Prefix
	domainSet  sim.AddrSet
	cutSets    []sim.AddrSet
	boundaries []netip.Addr
}

// decodeFuzzSets reads records from data until it runs out. A record is a
// header byte, an address and a prefix length. In the header, bit 0 selects
// IPv6, bit 1 puts the prefix in the domain rather than a cut, and bits 2-4
// give the cut's index. An IPv4 address takes 4 bytes. An IPv6 address
// takes 5: two for its first 16 bits, two for its last 16, and one whose low
// bit fills the 96 bits between with ones instead of zeros. The compact form
// lets the fuzzer reach ::, the all-ones address and overlapping blocks.
func decodeFuzzSets(data []byte) fuzzSets {
	var fs fuzzSets
	fs.cuts = make([][]netip.Prefix, 8)
	for len(data) > 0 {
		h := data[0]
		data = data[1:]
		var a netip.Addr
		if h&1 == 0 {
			if len(data) < 5 {
				break
			}
			a = netip.AddrFrom4([4]byte(data[:4]))
			data = data[4:]
		} else {
			if len(data) < 6 {
				break
			}
			var b [16]byte
			b[0], b[1], b[14], b[15] = data[0], data[1], data[2], data[3]
			if data[4]&1 == 1 {
				for i := 2; i < 14; i++ {
					b[i] = 0xff
				}
			}
			a = netip.AddrFrom16(b)
			data = data[5:]
		}
		bits := int(data[0]) % (a.BitLen() + 1)
		data = data[1:]
		p := netip.PrefixFrom(a, bits).Masked()
		if h&2 != 0 {
			fs.domain = append(fs.domain, p)
		} else {
			i := int(h>>2) & 7
			fs.cuts[i] = append(fs.cuts[i], p)
		}
	}
	fs.domainSet = sim.SetOf(fs.domain...)
	for _, c := range fs.cuts {
		fs.cutSets = append(fs.cutSets, sim.SetOf(c...))
	}
	for _, ps := range append([][]netip.Prefix{fs.domain}, fs.cuts...) {
		for _, p := range ps {
			fs.boundaries = append(fs.boundaries, prefixBoundaries(p)...)
		}
	}
	return fs
}

// prefixBoundaries returns the addresses where membership in p can differ
// from membership of a neighbour: its first and last address and the
// addresses just outside it.
func prefixBoundaries(p netip.Prefix) []netip.Addr {
	first := p.Addr()
	last := lastAddr(p)
	out := []netip.Addr{first, last}
	if prev := first.Prev(); prev.IsValid() {
		out = append(out, prev)
	}
	if next := last.Next(); next.IsValid() {
		out = append(out, next)
	}
	return out
}

// lastAddr sets the host bits of p's address, independently of the
// ipaddress-go arithmetic that sim.PrefixInterval uses.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// inPrefixes is the naive membership test.
func inPrefixes(ps []netip.Prefix, a netip.Addr) bool {
	return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(a) })
}

// FuzzAtoms checks that sim.Atoms splits its domain into sorted, disjoint
// intervals that together hold exactly the domain, that every atom lies
// wholly inside or wholly outside each cut, and that two adjacent atoms are
// told apart by some cut, so that no coarser partition would do.
func FuzzAtoms(f *testing.F) {
	for _, seed := range atomSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := decodeFuzzSets(data)
		atoms := sim.Atoms(fs.domainSet, fs.cutSets)

		for i, iv := range atoms {
			if iv.Lo.BitLen() != iv.Hi.BitLen() || iv.Hi.Less(iv.Lo) {
				t.Fatalf("atom %d is malformed: %v-%v", i, iv.Lo, iv.Hi)
			}
			if i > 0 && !atoms[i-1].Hi.Less(iv.Lo) && atoms[i-1].Hi.BitLen() == iv.Lo.BitLen() {
				t.Fatalf("atoms %d and %d overlap or are out of order: %v and %v", i-1, i, atoms[i-1], iv)
			}
			if i > 0 && atoms[i-1].Lo.BitLen() > iv.Lo.BitLen() {
				t.Fatalf("atom %d (%v) of a smaller family follows atom %d (%v)", i, iv, i-1, atoms[i-1])
			}
			for _, a := range []netip.Addr{iv.Lo, iv.Hi} {
				if !inPrefixes(fs.domain, a) {
					t.Fatalf("atom %v holds %v, which is outside the domain %v", iv, a, fs.domain)
				}
			}
		}

		// Every boundary address of the domain and the cuts decides the
		// comparison: each one in the domain lies in exactly one atom, and
		// within that atom every cut agrees with the atom's first address.
		for _, a := range fs.boundaries {
			var holders []sim.Interval
			for _, iv := range atoms {
				if iv.Contains(a) {
					holders = append(holders, iv)
				}
			}
			if inDomain := inPrefixes(fs.domain, a); inDomain != (len(holders) == 1) || len(holders) > 1 {
				t.Fatalf("address %v is in the domain: %v, but lies in %d atoms %v", a, inDomain, len(holders), holders)
			}
			if len(holders) == 0 {
				continue
			}
			for c, cut := range fs.cuts {
				if inPrefixes(cut, a) != inPrefixes(cut, holders[0].Lo) {
					t.Fatalf("atom %v is not uniform for cut %d %v: %v and %v differ", holders[0], c, cut, holders[0].Lo, a)
				}
			}
		}

		// The domain as a set equals the union of the atoms.
		union := sim.AddrSet{}
		for _, iv := range atoms {
			union = union.Union(intervalSet(iv))
		}
		if !union.Equal(fs.domainSet) {
			t.Fatalf("atoms cover %v, want the domain %v", union, fs.domainSet)
		}

		for i := 1; i < len(atoms); i++ {
			prev, cur := atoms[i-1], atoms[i]
			if prev.Hi.Next() != cur.Lo {
				continue
			}
			distinct := slices.ContainsFunc(fs.cuts, func(cut []netip.Prefix) bool {
				return inPrefixes(cut, prev.Hi) != inPrefixes(cut, cur.Lo)
			})
			if !distinct {
				t.Fatalf("adjacent atoms %v and %v are matched alike by every cut, so they should be one atom", prev, cur)
			}
		}
	})
}

// FuzzAddrSet checks the set operations of sim.AddrSet against the naive
// model at every boundary address: Contains, Union, Subtract, Covers and
// Equal, and that the intervals stay sorted, disjoint and non-adjacent.
func FuzzAddrSet(f *testing.F) {
	for _, seed := range atomSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := decodeFuzzSets(data)
		a, b := fs.domainSet, fs.cutSets[0]
		pa, pb := fs.domain, fs.cuts[0]
		union, diff := a.Union(b), a.Subtract(b)

		for _, s := range []sim.AddrSet{a, b, union, diff} {
			ivs := s.Intervals()
			for i := 1; i < len(ivs); i++ {
				prev, cur := ivs[i-1], ivs[i]
				if prev.Hi.BitLen() == cur.Lo.BitLen() && (!prev.Hi.Less(cur.Lo) || prev.Hi.Next() == cur.Lo) {
					t.Fatalf("set %v has overlapping, unsorted or adjacent intervals %v and %v", s, prev, cur)
				}
			}
		}

		// The sets' own interval ends are checked too, so that an interval
		// that no prefix accounts for cannot go unnoticed.
		points := slices.Clone(fs.boundaries)
		for _, s := range []sim.AddrSet{a, b, union, diff} {
			for _, iv := range s.Intervals() {
				points = append(points, iv.Lo, iv.Hi)
			}
		}
		coversAll, equalAll := true, true
		for _, x := range points {
			inA, inB := inPrefixes(pa, x), inPrefixes(pb, x)
			if got := a.Contains(x); got != inA {
				t.Fatalf("%v.Contains(%v) = %v, want %v", a, x, got, inA)
			}
			if got := union.Contains(x); got != (inA || inB) {
				t.Fatalf("(%v ∪ %v).Contains(%v) = %v, want %v", a, b, x, got, inA || inB)
			}
			if got := diff.Contains(x); got != (inA && !inB) {
				t.Fatalf("(%v − %v).Contains(%v) = %v, want %v", a, b, x, got, inA && !inB)
			}
			if inB && !inA {
				coversAll = false
			}
			if inA != inB {
				equalAll = false
			}
		}
		if got := a.Covers(b); got != coversAll {
			t.Fatalf("%v.Covers(%v) = %v, want %v", a, b, got, coversAll)
		}
		if got := a.Equal(b); got != equalAll {
			t.Fatalf("%v.Equal(%v) = %v, want %v", a, b, got, equalAll)
		}
		if got := a.IsEmpty(); got != (len(pa) == 0) {
			t.Fatalf("%v.IsEmpty() = %v with %d prefixes", a, got, len(pa))
		}
	})
}

// intervalSet returns the set of the addresses of iv.
func intervalSet(iv sim.Interval) sim.AddrSet {
	var out sim.AddrSet
	for _, p := range intervalPrefixes(iv) {
		out = out.Union(sim.SetOf(p))
	}
	return out
}

// intervalPrefixes splits iv into the prefixes that cover it exactly, from
// the lowest address up.
func intervalPrefixes(iv sim.Interval) []netip.Prefix {
	var out []netip.Prefix
	lo := iv.Lo
	for {
		bits := lo.BitLen()
		// Grow the block while it stays aligned and inside the interval.
		for bits > 0 {
			p := netip.PrefixFrom(lo, bits-1)
			if p.Masked().Addr() != lo || iv.Hi.Less(lastAddr(p)) {
				break
			}
			bits--
		}
		p := netip.PrefixFrom(lo, bits)
		out = append(out, p)
		last := lastAddr(p)
		if last == iv.Hi {
			return out
		}
		lo = last.Next()
	}
}

// atomSeeds returns seed inputs: edge cases of both families, and the
// address blocks of the shipped scenarios and the valid test scenarios, with
// each block once as a cut and the first one also as the domain.
func atomSeeds(f *testing.F) [][]byte {
	seeds := [][]byte{
		// 10.0.0.0/16 domain; cuts 10.0.1.0/24 and 10.0.1.128/25.
		{2, 10, 0, 0, 0, 16, 0, 10, 0, 1, 0, 24, 4, 10, 0, 1, 128, 25},
		// 0.0.0.0/0 domain; cut 255.255.255.255/32 and 0.0.0.0/32.
		{2, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 32, 4, 0, 0, 0, 0, 32},
		// ::/0 and 0.0.0.0/0 domain; cuts at the top of the IPv6 space.
		{3, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 1, 128, 5, 0x20, 0x01, 0, 0, 0, 32},
		// Adjacent cuts that normalize to one block.
		{2, 192, 0, 2, 0, 24, 0, 192, 0, 2, 0, 26, 0, 192, 0, 2, 64, 26},
	}
	var prefixes []netip.Prefix
	for _, pattern := range []string{"../scenarios/*.yaml", "../model/testdata/valid/*.yaml"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			if _, err := os.Stat(file); err != nil {
				f.Fatal(err)
			}
			s, diags := model.Load(file)
			if diags.HasErrors() {
				f.Fatalf("%s does not load: %v", file, diags.Err())
			}
			prefixes = append(prefixes, scenarioPrefixes(s)...)
		}
	}
	var shipped []byte
	for i, p := range prefixes {
		shipped = append(shipped, encodeFuzzPrefix(p, byte(i%8)<<2)...)
		if i == 0 {
			shipped = append(shipped, encodeFuzzPrefix(p, 2)...)
		}
	}
	return append(seeds, shipped)
}

// scenarioPrefixes returns every address block a scenario names.
func scenarioPrefixes(s *model.Scenario) []netip.Prefix {
	var out []netip.Prefix
	for _, v := range s.VPCs {
		out = append(out, v.CIDR)
		for _, sn := range v.Subnets {
			out = append(out, sn.CIDR)
		}
	}
	for _, pl := range s.PrefixLists {
		out = append(out, pl.Entries...)
	}
	for _, g := range s.SecurityGroups {
		for _, r := range append(slices.Clone(g.Ingress), g.Egress...) {
			if r.Peer.Kind == model.PeerCIDR {
				out = append(out, r.Peer.CIDR)
			}
		}
	}
	for _, a := range s.Attackers {
		out = append(out, a.CIDRs...)
	}
	return out
}

// encodeFuzzPrefix writes p as a record of decodeFuzzSets with the given
// header bits. An IPv6 prefix keeps only what the compact form can hold.
func encodeFuzzPrefix(p netip.Prefix, header byte) []byte {
	if p.Addr().Is4() {
		a := p.Addr().As4()
		return []byte{header, a[0], a[1], a[2], a[3], byte(p.Bits())}
	}
	a := p.Addr().As16()
	return []byte{header | 1, a[0], a[1], a[14], a[15], 0, byte(p.Bits())}
}
