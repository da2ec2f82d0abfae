package model

import (
	"net/netip"
)

// Address assignment. AWS reserves the first four addresses and the last
// address of every subnet, so an interface cannot use them.
const (
	reservedLow = 4
	// firstAssigned is the offset from a subnet's network address of the
	// first address the loader assigns.
	firstAssigned = 10
)

// publicPools are the blocks representative public addresses come from, in
// order: the documentation range TEST-NET-2 (RFC 5737), then, for scenarios
// with more than 245 public tiers, the benchmarking range 198.18.0.0/15
// (RFC 2544). Neither is routed on the internet, so no scenario rule for a
// real public range matches them by accident.
var publicPools = []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("198.18.0.0/15")}

// assignAddresses checks the private addresses the scenario sets and gives
// every other tier with a subnet the next free address of its first subnet,
// counting from the network address + 10, in the order the tiers appear in
// the file. Tiers with public addresses get them from 198.51.100.10 upwards
// in the same order, then from 198.18.0.10. A CloudFront tier gets no
// address.
func (d *decoder) assignAddresses() {
	inUse := map[netip.Addr]*Tier{}
	for _, t := range d.s.Tiers {
		v, ok := d.privateIPs[t]
		if !ok {
			continue
		}
		if !d.checkPrivateIP(t, v) {
			t.PrivateIP = netip.Addr{}
			continue
		}
		if other, dup := inUse[t.PrivateIP]; dup {
			d.errorf(v.at, v.path, "Duplicate value", "Address %s is already the private_ip of tier %s. Give each tier its own address.", t.PrivateIP, other.Name)
			continue
		}
		inUse[t.PrivateIP] = t
	}

	next := map[*Subnet]netip.Addr{}
	for _, t := range d.s.Tiers {
		if t.PrivateIP.IsValid() || t.Kind == KindCloudFront || len(t.Subnets) == 0 {
			continue
		}
		if _, explicit := d.privateIPs[t]; explicit {
			continue
		}
		sub := t.Subnets[0]
		if !sub.CIDR.IsValid() {
			continue
		}
		a, ok := next[sub]
		if !ok {
			a = nth(sub.CIDR, firstAssigned)
		}
		for inUse[a] != nil {
			a = a.Next()
		}
		if !a.IsValid() || !sub.CIDR.Contains(a) || a == lastAddr(sub.CIDR) {
			d.errorAt(t.Pos, t.Path, "Address pool exhausted", "Subnet %s (%s) has no free address left for tier %s. Use a larger subnet or set private_ip on some tiers.", sub.Name, sub.CIDR, t.Name)
			continue
		}
		t.PrivateIP = a
		inUse[a] = t
		next[sub] = a.Next()
	}

	pool := 0
	public := nth(publicPools[pool], firstAssigned)
	for _, t := range d.s.Tiers {
		if !t.PublicIP || t.Kind == KindCloudFront {
			continue
		}
		if public == lastAddr(publicPools[pool]) && pool+1 < len(publicPools) {
			pool++
			public = nth(publicPools[pool], firstAssigned)
		}
		for d.explicitEIPs[public].node != nil {
			public = public.Next()
		}
		if public == lastAddr(publicPools[pool]) {
			d.errorAt(t.Pos, t.Path, "Address pool exhausted", "The scenario has more public tiers than the %d representative public addresses the model can assign. Reduce the number of tiers with public addresses.",
				publicAddressCount())
			continue
		}
		t.PublicAddr = public
		public = public.Next()
	}
	for _, t := range d.s.Tiers {
		if t.IPv6 && t.PrivateIP.IsValid() {
			t.IPv6Addr = sameHost(t.Subnets[0].CIDR, t.PrivateIP, t.Subnets[0].IPv6CIDR)
		}
	}
	d.assignNATAddresses(public)
}

// sameHost returns the address of block6 whose offset from the block's
// network address is that of a in block4, so that a tier's IPv6 address
// is easy to tell from its IPv4 one.
func sameHost(block4 netip.Prefix, a netip.Addr, block6 netip.Prefix) netip.Addr {
	off := a.As4()
	base := block4.Masked().Addr().As4()
	n := uint32(off[0]-base[0])<<24 | uint32(off[1]-base[1])<<16 | uint32(off[2]-base[2])<<8 | uint32(off[3]-base[3])
	b := block6.Masked().Addr().As16()
	b[12], b[13], b[14], b[15] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return netip.AddrFrom16(b)
}

// assignNATAddresses gives each NAT gateway a private address among the
// ones below where tier addresses start, and each public NAT gateway
// without an elastic_ip the next representative public address after the
// tiers' ones.
func (d *decoder) assignNATAddresses(public netip.Addr) {
	used := map[*Subnet]int{}
	for _, v := range d.s.VPCs {
		for _, g := range v.NATGateways {
			if g.Subnet == nil || !g.Subnet.CIDR.IsValid() {
				continue
			}
			k := used[g.Subnet]
			used[g.Subnet]++
			if reservedLow+k >= firstAssigned {
				d.errorAt(g.Pos, g.Path, "Address pool exhausted", "Subnet %s has more NAT gateways than the model places below its tier addresses. Use at most %d per subnet.", g.Subnet.Name, firstAssigned-reservedLow)
				continue
			}
			g.PrivateIP = nth(g.Subnet.CIDR, reservedLow+k)
			if g.Private || g.PublicAddr.IsValid() {
				continue
			}
			for d.explicitEIPs[public].node != nil {
				public = public.Next()
			}
			g.PublicAddr = public
			public = public.Next()
		}
	}
}

// checkPrivateIP reports a private_ip outside the tier's first subnet or on
// an address AWS reserves.
func (d *decoder) checkPrivateIP(t *Tier, v value) bool {
	if len(t.Subnets) == 0 || !t.Subnets[0].CIDR.IsValid() {
		return false
	}
	sub := t.Subnets[0]
	a := t.PrivateIP
	switch {
	case !sub.CIDR.Contains(a):
		d.errorf(v.at, v.path, "Invalid value", "%s is outside the tier's first subnet %s (%s). Choose an address in that subnet, or list the subnet that contains it first.", a, sub.Name, sub.CIDR)
		return false
	case a.Less(nth(sub.CIDR, reservedLow)) || a == lastAddr(sub.CIDR):
		d.errorf(v.at, v.path, "Invalid value", "AWS reserves the first four addresses and the last address of every subnet, so %s cannot be assigned in subnet %s (%s). Choose another address.", a, sub.Name, sub.CIDR)
		return false
	}
	return true
}

// publicAddressCount returns how many representative public addresses the
// pools hold.
func publicAddressCount() int {
	total := 0
	for _, p := range publicPools {
		total += 1<<(32-p.Bits()) - firstAssigned - 1
	}
	return total
}
