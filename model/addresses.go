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

// publicPool is the block representative public addresses come from, the
// documentation range TEST-NET-2 (RFC 5737).
var publicPool = netip.MustParsePrefix("198.51.100.0/24")

// assignAddresses checks the private addresses the scenario sets and gives
// every other tier with a subnet the next free address of its first subnet,
// counting from the network address + 10, in the order the tiers appear in
// the file. Tiers with public addresses get them from 198.51.100.10 upwards
// in the same order. A CloudFront tier gets no address.
func (d *decoder) assignAddresses() {
	taken := map[netip.Addr]*Tier{}
	for _, t := range d.s.Tiers {
		v, ok := d.privateIPs[t]
		if !ok {
			continue
		}
		if !d.checkPrivateIP(t, v) {
			t.PrivateIP = netip.Addr{}
			continue
		}
		if other, dup := taken[t.PrivateIP]; dup {
			d.errorf(v.at, v.path, "Duplicate value", "Address %s is already the private_ip of tier %s. Give each tier its own address.", t.PrivateIP, other.Name)
			continue
		}
		taken[t.PrivateIP] = t
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
		for taken[a] != nil {
			a = a.Next()
		}
		if !a.IsValid() || !sub.CIDR.Contains(a) || a == lastAddr(sub.CIDR) {
			d.errorAt(t.Pos, t.Path, "Address pool exhausted", "Subnet %s (%s) has no free address left for tier %s. Use a larger subnet or set private_ip on some tiers.", sub.Name, sub.CIDR, t.Name)
			continue
		}
		t.PrivateIP = a
		taken[a] = t
		next[sub] = a.Next()
	}

	public := nth(publicPool, firstAssigned)
	for _, t := range d.s.Tiers {
		if !t.PublicIP || t.Kind == KindCloudFront {
			continue
		}
		if public == lastAddr(publicPool) {
			d.errorAt(t.Pos, t.Path, "Address pool exhausted", "The scenario has more public tiers than the representative public addresses %s to %s can cover. Reduce the number of tiers with public addresses.",
				nth(publicPool, firstAssigned), lastAddr(publicPool).Prev())
			continue
		}
		t.PublicAddr = public
		public = public.Next()
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
