package sim

import (
	"net/netip"
	"slices"
	"testing"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

func TestPrefixIntervalBounds(t *testing.T) {
	tests := []struct {
		prefix, lo, hi string
	}{
		{"10.0.0.0/16", "10.0.0.0", "10.0.255.255"},
		{"192.0.2.7/32", "192.0.2.7", "192.0.2.7"},
		{"0.0.0.0/0", "0.0.0.0", "255.255.255.255"},
		{"2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"},
	}
	for _, tc := range tests {
		got := PrefixInterval(pfx(tc.prefix))
		if got.Lo != addr(tc.lo) || got.Hi != addr(tc.hi) {
			t.Errorf("PrefixInterval(%s) = %v-%v, want %s-%s", tc.prefix, got.Lo, got.Hi, tc.lo, tc.hi)
		}
	}
}

func TestAddrSetSubtractAndContains(t *testing.T) {
	s := SetOf(pfx("10.0.0.0/16")).Subtract(SetOf(pfx("10.0.1.0/24")))
	if got, want := s.String(), "10.0.0.0/24, 10.0.2.0-10.0.255.255"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	for a, want := range map[string]bool{"10.0.0.255": true, "10.0.1.0": false, "10.0.1.255": false, "10.0.2.0": true, "10.1.0.0": false} {
		if got := s.Contains(addr(a)); got != want {
			t.Errorf("Contains(%s) = %v, want %v", a, got, want)
		}
	}
}

func TestAddrSetMergesAdjacent(t *testing.T) {
	s := SetOf(pfx("10.0.0.0/25"), pfx("10.0.0.128/25"), pfx("2001:db8::/64"))
	if got, want := s.String(), "10.0.0.0/24, 2001:db8::/64"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestAtomsSplitAtEveryCut(t *testing.T) {
	domain := SetOf(pfx("10.0.0.0/24"))
	cuts := []AddrSet{SetOf(pfx("10.0.0.0/26")), SetOf(pfx("10.0.0.32/27")), SetOf(pfx("10.0.0.200/32"))}
	got := Atoms(domain, cuts)
	want := []string{"10.0.0.0/27", "10.0.0.32/27", "10.0.0.64-10.0.0.199", "10.0.0.200", "10.0.0.201-10.0.0.255"}
	var gotStr []string
	for _, iv := range got {
		gotStr = append(gotStr, iv.String())
	}
	if !slices.Equal(gotStr, want) {
		t.Errorf("Atoms = %v, want %v", gotStr, want)
	}
}

// Every atom is either inside or outside each cut: the defining property of
// the partition, checked address by address on a small universe.
func TestAtomsAreUniformOverCuts(t *testing.T) {
	domain := SetOf(pfx("10.0.0.0/26"))
	cuts := []AddrSet{SetOf(pfx("10.0.0.8/29")), SetOf(pfx("10.0.0.12/30"), pfx("10.0.0.40/29")), SetOf(pfx("10.0.0.0/27"))}
	covered := 0
	for _, atom := range Atoms(domain, cuts) {
		for a := atom.Lo; ; a = a.Next() {
			covered++
			for i, c := range cuts {
				if c.Contains(a) != c.Contains(atom.Lo) {
					t.Errorf("atom %v splits cut %d at %v", atom, i, a)
				}
			}
			if a == atom.Hi {
				break
			}
		}
	}
	if covered != 64 {
		t.Errorf("atoms cover %d addresses, want 64", covered)
	}
}

// The internet source space leaves out RFC 1918 and other non-public blocks.
func TestPublicIPv4ExcludesPrivateBlocks(t *testing.T) {
	for _, a := range []string{"10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1"} {
		if PublicIPv4.Contains(addr(a)) {
			t.Errorf("PublicIPv4 contains %s", a)
		}
	}
	for _, a := range []string{"203.0.113.7", "8.8.8.8", "198.51.100.1"} {
		if !PublicIPv4.Contains(addr(a)) {
			t.Errorf("PublicIPv4 lacks %s", a)
		}
	}
}
