package model

import (
	"net/netip"
	"strings"
)

// prefix decodes a CIDR block without host bits. When family is IPv4 or IPv6
// the block must be of that family, and zero accepts both.
func (d *decoder) prefix(v value, family Family) (netip.Prefix, bool) {
	example := exampleCIDR(family)
	s, ok := d.str(v, "a CIDR block such as "+example)
	if !ok {
		return netip.Prefix{}, false
	}
	s = strings.TrimSpace(s)

	if !strings.Contains(s, "/") {
		if addr, err := netip.ParseAddr(s); err == nil {
			bits := 32
			if addr.Is6() {
				bits = 128
			}
			d.errorf(v.at, v.path, "Invalid CIDR", "%s is an address, not a CIDR block. Expected a CIDR such as %s/%d.", s, s, bits)
			return netip.Prefix{}, false
		}
		d.errorf(v.at, v.path, "Invalid CIDR", "%q is not a CIDR block. Expected an address and a prefix length, such as %s.", s, example)
		return netip.Prefix{}, false
	}

	p, err := netip.ParsePrefix(s)
	if err != nil {
		d.errorf(v.at, v.path, "Invalid CIDR", "%q is not a CIDR block. Expected an address and a prefix length, such as %s.", s, example)
		return netip.Prefix{}, false
	}
	if p.Addr().Is4In6() {
		d.errorf(v.at, v.path, "Invalid CIDR", "%s is an IPv4-mapped IPv6 block. Write the IPv4 block itself, such as %s.", s, example)
		return netip.Prefix{}, false
	}
	if p != p.Masked() {
		d.errorf(v.at, v.path, "Invalid CIDR", "%s has host bits set. Did you mean %s?", s, p.Masked())
		return netip.Prefix{}, false
	}
	if family != 0 && familyOf(p.Addr()) != family {
		d.errorf(v.at, v.path, "Invalid CIDR", "Expected an %s CIDR block such as %s, got the %s block %s.", familyName(family), example, familyName(familyOf(p.Addr())), s)
		return netip.Prefix{}, false
	}
	return p, true
}

// prefixes decodes a list of CIDR blocks, reporting duplicates. It returns
// the blocks that decoded and their values.
func (d *decoder) prefixes(v value, family Family, expected string) ([]netip.Prefix, []value, bool) {
	items, ok := d.list(v, expected)
	if !ok {
		return nil, nil, false
	}
	var out []netip.Prefix
	var vals []value
	seen := map[netip.Prefix]value{}
	for _, item := range items {
		p, ok := d.prefix(item, family)
		if !ok {
			continue
		}
		if first, dup := seen[p]; dup {
			d.errorf(item.at, item.path, "Duplicate value", "%s is already listed on line %d. Remove one of the two.", p, first.at.Line)
			continue
		}
		seen[p] = item
		out = append(out, p)
		vals = append(vals, item)
	}
	return out, vals, true
}

// address decodes an IPv4 address without a prefix length.
func (d *decoder) address(v value) (netip.Addr, bool) {
	s, ok := d.str(v, "an IPv4 address such as 10.0.1.10")
	if !ok {
		return netip.Addr{}, false
	}
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		d.errorf(v.at, v.path, "Invalid value", "%s is a CIDR block. Expected a single address without a prefix length, such as %s.", s, strings.SplitN(s, "/", 2)[0])
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		d.errorf(v.at, v.path, "Invalid value", "%q is not an IP address. Expected an IPv4 address such as 10.0.1.10.", s)
		return netip.Addr{}, false
	}
	if !a.Is4() {
		d.errorf(v.at, v.path, "Invalid value", "%s is an IPv6 address. Expected the IPv4 address of the tier's primary network interface, such as 10.0.1.10.", s)
		return netip.Addr{}, false
	}
	return a, true
}

// familyOf returns the family of a.
func familyOf(a netip.Addr) Family {
	if a.Is4() {
		return IPv4
	}
	return IPv6
}

// familyName returns "IPv4" or "IPv6" as prose spells them.
func familyName(f Family) string {
	if f == IPv6 {
		return "IPv6"
	}
	return "IPv4"
}

func exampleCIDR(f Family) string {
	if f == IPv6 {
		return "2001:db8::/56"
	}
	return "10.0.0.0/16"
}

// lastAddr returns the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().AsSlice()
	bits := p.Bits()
	for i := range a {
		for b := range 8 {
			if i*8+b >= bits {
				a[i] |= 0x80 >> b
			}
		}
	}
	last, _ := netip.AddrFromSlice(a)
	return last
}

// nth returns the address n places after the network address of p.
func nth(p netip.Prefix, n int) netip.Addr {
	a := p.Masked().Addr()
	for range n {
		a = a.Next()
	}
	return a
}
