package model

import (
	"fmt"
	"net/netip"
	"slices"
)

// tierKeys lists the keys each tier kind takes.
var tierKeys = map[Kind][]string{
	KindCloudFront:  {"kind", "waf", "origins"},
	KindALB:         {"kind", "scheme", "ip_address_type", "subnets", "security_groups", "private_ip", "ephemeral_ports", "listeners"},
	KindNLB:         {"kind", "scheme", "ip_address_type", "subnets", "security_groups", "private_ip", "ephemeral_ports", "listeners"},
	KindECS:         {"kind", "subnets", "security_groups", "public_ip", "ipv6", "private_ip", "ephemeral_ports", "connects_to"},
	KindEC2:         {"kind", "subnets", "security_groups", "public_ip", "ipv6", "private_ip", "ephemeral_ports", "connects_to"},
	KindEKS:         {"kind", "subnets", "security_groups", "public_ip", "ipv6", "private_ip", "ephemeral_ports", "connects_to"},
	KindLambda:      {"kind", "subnets", "security_groups", "public_ip", "ipv6", "private_ip", "ephemeral_ports", "connects_to"},
	KindRDS:         {"kind", "subnets", "security_groups", "public_ip", "ipv6", "private_ip", "ephemeral_ports"},
	KindElastiCache: {"kind", "subnets", "security_groups", "public_ip", "ipv6", "private_ip", "ephemeral_ports"},

	KindInterfaceEndpoint: {"kind", "service", "subnets", "security_groups", "private_ip"},
	KindAWSService:        {"kind", "service", "prefix_list"},
}

var connectionKeys = []string{"tier", "protocol", "port", "address"}

// maxSecurityGroups is the number of security groups AWS allows on a
// network interface or load balancer by default.
const maxSecurityGroups = 5

// Load balancer schemes.
const (
	schemeInternetFacing = "internet-facing"
	schemeInternal       = "internal"
)

// allTierKeys returns every key some tier kind takes, in a stable order.
func allTierKeys() []string {
	var keys []string
	for _, k := range Kinds {
		for _, key := range tierKeys[k] {
			if !slices.Contains(keys, key) {
				keys = append(keys, key)
			}
		}
	}
	return keys
}

// kindsTaking returns the kinds whose tiers take key.
func kindsTaking(key string) []string {
	var kinds []string
	for _, k := range Kinds {
		if slices.Contains(tierKeys[k], key) {
			kinds = append(kinds, string(k))
		}
	}
	return kinds
}

// decodeTiers decodes the tiers section in two passes: first every tier's
// name and kind, so that references between tiers can check the kind of a
// tier defined further down, then the rest of each tier.
func (d *decoder) decodeTiers(v value) {
	type pending struct {
		t *Tier
		o *object
	}
	var tiers []pending
	for _, e := range d.named(v, "tier", true) {
		t := &Tier{Name: e.name, Path: e.value.path, Pos: d.pos(e.key)}
		d.s.Tiers = append(d.s.Tiers, t)
		d.tiers[e.name] = t
		o := d.mapping(e.value, "a tier")
		if kv, ok := d.require(o, "kind", "kind: ecs"); ok {
			if k, ok := d.enum(kv, "Invalid value", "tier kind", kindNames(Kinds), false); ok {
				t.Kind = Kind(k)
			}
		}
		tiers = append(tiers, pending{t, o})
	}
	for _, p := range tiers {
		d.decodeTier(p.t, p.o)
	}
}

func (d *decoder) decodeTier(t *Tier, o *object) {
	if t.Kind == "" {
		// Without a kind the allowed keys are unknown, so only keys that no
		// kind takes are reported.
		d.allow(o, allTierKeys(), nil)
		return
	}
	o.label = "a tier of kind " + string(t.Kind)
	d.allow(o, tierKeys[t.Kind], func(key string) string {
		if kinds := kindsTaking(key); len(kinds) > 0 {
			return fmt.Sprintf("Only tiers of kind %s take it.", orList(kinds, "and"))
		}
		return ""
	})

	switch {
	case t.Kind == KindCloudFront:
		d.decodeCloudFront(t, o)
	case t.Kind == KindInterfaceEndpoint:
		d.decodePlacement(t, o)
		d.decodeService(t, o)
	case t.Kind == KindAWSService:
		d.decodeService(t, o)
		if v, ok := d.require(o, "prefix_list", "prefix_list: s3"); ok {
			if pl, ok := d.lookupPrefixList(v); ok {
				t.ServiceList = pl
				if len(pl.Entries) > 0 {
					t.PublicAddr = serviceAddr(pl.Entries[0])
				}
			}
		}
	case t.Kind.IsLoadBalancer():
		d.decodePlacement(t, o)
		d.decodeEphemeralPorts(t, o)
		d.decodeLoadBalancer(t, o)
	default:
		d.decodePlacement(t, o)
		d.decodeEphemeralPorts(t, o)
		d.decodeEndpoint(t, o)
	}
}

// decodePlacement decodes the subnets, security groups and private address
// of a tier that has network interfaces.
func (d *decoder) decodePlacement(t *Tier, o *object) {
	if sv, ok := d.require(o, "subnets", "subnets: [app-a]"); ok {
		d.decodeTierSubnets(t, sv)
	}
	vpc := tierVPC(t)

	gv, ok := o.get("security_groups")
	switch {
	case ok:
		d.decodeTierGroups(t, gv, vpc)
	case t.Kind != KindNLB:
		// An NLB may have no security groups. Every other kind gets at
		// least the VPC's default group from AWS, which the model does not
		// add implicitly.
		d.require(o, "security_groups", "security_groups: [app]")
	}

	if av, ok := o.get("private_ip"); ok {
		if a, ok := d.address(av); ok {
			t.PrivateIP = a
			d.privateIPs[t] = av
		}
	}
}

func (d *decoder) decodeTierSubnets(t *Tier, v value) {
	items, ok := d.list(v, "a list of subnet names")
	if !ok {
		return
	}
	if len(items) == 0 {
		d.errorf(v.at, v.path, "Invalid value", "The list of subnets is empty. Name at least one subnet for the tier's network interfaces.")
		return
	}
	seen := map[*Subnet]value{}
	for _, item := range items {
		sub, ok := d.lookupSubnet(item)
		if !ok {
			continue
		}
		if first, dup := seen[sub]; dup {
			d.errorf(item.at, item.path, "Duplicate reference", "Subnet %s is already listed on line %d. Remove one of the two.", sub.Name, first.at.Line)
			continue
		}
		seen[sub] = item
		if vpc := tierVPC(t); vpc != nil && sub.VPC != vpc {
			d.errorf(item.at, item.path, "VPC mismatch", "Subnet %s is in VPC %s, but the tier's first subnet %s is in VPC %s. All subnets of a tier must be in one VPC.",
				sub.Name, sub.VPC.Name, t.Subnets[0].Name, vpc.Name)
			continue
		}
		t.Subnets = append(t.Subnets, sub)
	}
}

func (d *decoder) decodeTierGroups(t *Tier, v value, vpc *VPC) {
	items, ok := d.list(v, "a list of security group names")
	if !ok {
		return
	}
	switch {
	case len(items) == 0 && t.Kind != KindNLB:
		d.errorf(v.at, v.path, "Invalid value", "The list of security groups is empty. A tier of kind %s has at least one security group, so name it.", t.Kind)
		return
	case len(items) > maxSecurityGroups:
		d.errorf(v.at, v.path, "Invalid value", "The tier has %d security groups, but AWS allows at most %d per network interface and load balancer. Merge some of them.", len(items), maxSecurityGroups)
	}
	seen := map[*SecurityGroup]value{}
	for _, item := range items {
		g, ok := d.lookupGroup(item)
		if !ok {
			continue
		}
		if first, dup := seen[g]; dup {
			d.errorf(item.at, item.path, "Duplicate reference", "Security group %s is already listed on line %d. Remove one of the two.", g.Name, first.at.Line)
			continue
		}
		seen[g] = item
		if vpc != nil && g.VPC != nil && g.VPC != vpc {
			d.errorf(item.at, item.path, "VPC mismatch", "Security group %s is in VPC %s, but the tier's subnets are in VPC %s. A tier can use only groups of its own VPC.",
				g.Name, g.VPC.Name, vpc.Name)
			continue
		}
		t.SecurityGroups = append(t.SecurityGroups, g)
	}
}

// decodeService decodes the optional service name of an endpoint or AWS
// service tier.
func (d *decoder) decodeService(t *Tier, o *object) {
	if v, ok := o.get("service"); ok {
		t.Service, _ = d.str(v, "a service name such as com.amazonaws.us-east-1.s3")
	}
}

// serviceAddr is the representative address of an AWS service in block b:
// its first host address.
func serviceAddr(b netip.Prefix) netip.Addr {
	a := b.Masked().Addr()
	if b.Bits() < a.BitLen() {
		a = a.Next()
	}
	return a
}

// requireIPv6Subnets marks t as having IPv6 addresses, which needs an IPv6
// block on every subnet of the tier.
func (d *decoder) requireIPv6Subnets(t *Tier, v value) {
	for _, sn := range t.Subnets {
		if !sn.IPv6CIDR.IsValid() {
			d.errorf(v.at, v.path, "Invalid value", "Subnet %s of tier %s has no ipv6_cidr, so its interfaces cannot get IPv6 addresses. Give the subnet an IPv6 block, or remove this key.", sn.Name, t.Name)
			return
		}
	}
	t.IPv6 = true
}

// decodeEndpoint decodes the keys of compute and data-store tiers.
func (d *decoder) decodeEndpoint(t *Tier, o *object) {
	if v, ok := o.get("public_ip"); ok {
		if public, ok := d.boolean(v); ok {
			switch {
			case public && t.Kind == KindLambda:
				d.errorf(v.at, v.path, "Invalid value", "A Lambda function attached to a VPC never has a public IP address. Set public_ip to false and reach the internet through a NAT gateway.")
			case public && t.Kind == KindElastiCache:
				d.errorf(v.at, v.path, "Invalid value", "ElastiCache nodes never have public IP addresses. Set public_ip to false.")
			default:
				t.PublicIP = public
			}
		}
	}

	if v, ok := o.get("ipv6"); ok {
		if on, ok := d.boolean(v); ok && on {
			d.requireIPv6Subnets(t, v)
		}
	}

	v, ok := o.get("connects_to")
	if !ok {
		return
	}
	items, ok := d.list(v, "a list of connections such as {tier: db, port: 5432}")
	if !ok {
		return
	}
	for _, item := range items {
		if c := d.decodeConnection(item); c != nil {
			t.ConnectsTo = append(t.ConnectsTo, c)
		}
	}
}

func (d *decoder) decodeConnection(v value) *Connection {
	c := &Connection{Protocol: TCP, Path: v.path, Pos: d.pos(v.at)}
	o := d.object(v, "a connection", connectionKeys, nil)
	if !o.ok {
		return nil
	}
	if tv, ok := d.require(o, "tier", "tier: db"); ok {
		c.Tier, _ = d.lookupTierOf(tv, "a connection's destination", KindALB, KindNLB, KindECS, KindEC2, KindEKS, KindLambda, KindRDS, KindElastiCache, KindInterfaceEndpoint, KindAWSService)
	}
	if pv, ok := o.get("protocol"); ok {
		if p, ok := d.enum(pv, "Invalid protocol", "connection protocol", []string{"tcp", "udp"}, true); ok {
			c.Protocol = protocolNames[p]
		}
	}
	if pv, ok := d.require(o, "port", "port: 5432"); ok {
		c.Port, _ = d.intRange(pv, "Invalid port", "a port from 1 to 65535", 1, maxPort)
	}
	if av, ok := o.get("address"); ok {
		if a, ok := d.enum(av, "Invalid value", "connection address", []string{"private", "public"}, false); ok && a == "public" {
			c.Public = true
			if c.Tier != nil && c.Tier.Kind != "" {
				to := c.Tier
				d.deferred = append(d.deferred, func() {
					if !to.PublicIP {
						d.errorf(av.at, av.path, "Invalid value", "Tier %s has no public address, so a connection cannot use one. Give it public_ip: true (or scheme: internet-facing), or use address: private.", to.Name)
					}
				})
			}
		}
	}
	return c
}

// decodeLoadBalancer decodes the scheme and listeners of an ALB or NLB.
func (d *decoder) decodeLoadBalancer(t *Tier, o *object) {
	if v, ok := d.require(o, "scheme", "scheme: internal"); ok {
		if s, ok := d.enum(v, "Invalid value", "scheme", []string{schemeInternetFacing, schemeInternal}, false); ok {
			t.PublicIP = s == schemeInternetFacing
		}
	}
	if v, ok := o.get("ip_address_type"); ok {
		if s, ok := d.enum(v, "Invalid value", "IP address type", []string{"ipv4", "dualstack"}, false); ok && s == "dualstack" {
			d.requireIPv6Subnets(t, v)
		}
	}

	v, ok := d.require(o, "listeners", "listeners: [{port: 443, protocol: https, default_action: {fixed_response: 404}}]")
	if !ok {
		return
	}
	items, ok := d.list(v, "a list of listeners")
	if !ok {
		return
	}
	if len(items) == 0 {
		d.errorf(v.at, v.path, "Invalid value", "The list of listeners is empty. A load balancer needs at least one listener to receive traffic.")
		return
	}
	ports := map[int]value{}
	for _, item := range items {
		l, pv := d.decodeListener(t, item)
		if l == nil {
			continue
		}
		if l.Port != 0 {
			if first, dup := ports[l.Port]; dup {
				d.errorf(pv.at, pv.path, "Duplicate value", "Port %d is already used by the listener on line %d. Each listener of a load balancer needs its own port.",
					l.Port, first.at.Line)
			} else {
				ports[l.Port] = pv
			}
		}
		t.Listeners = append(t.Listeners, l)
	}
}
