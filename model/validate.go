package model

import (
	"fmt"
	"slices"
	"strings"
)

// maxListedNames bounds how many defined names an "Unknown reference"
// detail lists.
const maxListedNames = 12

// lookup decodes a reference by name to a definition in defined. An unknown
// name is reported with the closest defined name and a list of them. names
// returns the defined names in file order. It is called once per noun, when
// the first unknown name is reported, because every section is complete
// before anything refers to it.
func lookup[T any](d *decoder, v value, noun string, defined map[string]T, names func() []string) (T, bool) {
	var zero T
	name, ok := d.str(v, "the name of "+article(noun))
	if !ok {
		return zero, false
	}
	if def, ok := defined[name]; ok {
		return def, true
	}
	if d.full() {
		return zero, false
	}

	all, cached := d.names[noun]
	if !cached {
		all = names()
		d.names[noun] = all
	}
	detail := fmt.Sprintf("No %s named %q is defined.", noun, name)
	if s := suggest(name, all); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	}
	switch {
	case len(all) == 0:
		detail += fmt.Sprintf(" The scenario defines no %ss.", noun)
	case len(all) > maxListedNames:
		detail += fmt.Sprintf(" Defined %ss include %s and %d more.", noun, strings.Join(all[:maxListedNames-1], ", "), len(all)-maxListedNames+1)
	default:
		detail += fmt.Sprintf(" Defined %ss are %s.", noun, orList(all, "and"))
	}
	d.errorf(v.at, v.path, "Unknown reference", "%s", detail)
	return zero, false
}

func (d *decoder) lookupVPC(v value) (*VPC, bool) {
	return lookup(d, v, "VPC", d.vpcs, func() []string {
		return mapNames(d.s.VPCs, func(x *VPC) string { return x.Name })
	})
}

func (d *decoder) lookupSubnet(v value) (*Subnet, bool) {
	return lookup(d, v, "subnet", d.subnets, func() []string {
		var names []string
		for _, vpc := range d.s.VPCs {
			names = append(names, mapNames(vpc.Subnets, func(x *Subnet) string { return x.Name })...)
		}
		return names
	})
}

func (d *decoder) lookupPrefixList(v value) (*PrefixList, bool) {
	return lookup(d, v, "prefix list", d.prefixLists, func() []string {
		return mapNames(d.s.PrefixLists, func(x *PrefixList) string { return x.Name })
	})
}

func (d *decoder) lookupGroup(v value) (*SecurityGroup, bool) {
	return lookup(d, v, "security group", d.groups, func() []string {
		return mapNames(d.s.SecurityGroups, func(x *SecurityGroup) string { return x.Name })
	})
}

func (d *decoder) lookupNetworkACL(v value) (*NetworkACL, bool) {
	return lookup(d, v, "network ACL", d.networkACLs, func() []string {
		return mapNames(d.s.NetworkACLs, func(x *NetworkACL) string { return x.Name })
	})
}

func (d *decoder) lookupTier(v value) (*Tier, bool) {
	return lookup(d, v, "tier", d.tiers, func() []string {
		return mapNames(d.s.Tiers, func(x *Tier) string { return x.Name })
	})
}

// lookupTierOf decodes a reference to a tier whose kind must be one of kinds.
// role names the reference in messages, such as "an origin". A tier whose
// own kind is invalid passes, because its kind was reported already.
func (d *decoder) lookupTierOf(v value, role string, kinds ...Kind) (*Tier, bool) {
	t, ok := d.lookupTier(v)
	if !ok {
		return nil, false
	}
	if t.Kind != "" && !slices.Contains(kinds, t.Kind) {
		d.errorf(v.at, v.path, "Invalid reference", "Tier %s is of kind %s, but %s must be a tier of kind %s.", t.Name, t.Kind, role, orList(kindNames(kinds), "or"))
		return t, false
	}
	return t, true
}

func mapNames[T any](items []T, name func(T) string) []string {
	names := make([]string, 0, len(items))
	for _, x := range items {
		names = append(names, name(x))
	}
	return names
}

func kindNames(kinds []Kind) []string {
	return mapNames(kinds, func(k Kind) string { return string(k) })
}

// tierVPC returns the VPC of a tier's subnets, or nil for a tier with none.
func tierVPC(t *Tier) *VPC {
	if t == nil || len(t.Subnets) == 0 {
		return nil
	}
	return t.Subnets[0].VPC
}
