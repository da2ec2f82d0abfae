package model

import (
	"net/netip"
)

var (
	customerListKeys = []string{"max_entries", "entries", "family"}
	managedListKeys  = []string{"aws_managed", "entries", "family"}
	familyNames      = []string{"ipv4", "ipv6"}
)

// maxPrefixListEntries is the largest max_entries AWS accepts for a
// customer-managed prefix list.
const maxPrefixListEntries = 1000

func (d *decoder) decodePrefixLists(v value) {
	for _, e := range d.named(v, "prefix list", false) {
		pl := &PrefixList{Name: e.name, Pos: d.pos(e.key)}
		d.s.PrefixLists = append(d.s.PrefixLists, pl)
		d.prefixLists[e.name] = pl
		d.decodePrefixList(pl, e.value)
	}
}

func (d *decoder) decodePrefixList(pl *PrefixList, v value) {
	o := d.mapping(v, "a prefix list")
	if o.has("aws_managed") {
		o.label = "an AWS-managed prefix list"
		d.allow(o, managedListKeys, func(key string) string {
			if key == "max_entries" {
				return "AWS sets the size of an AWS-managed list, so max_entries applies only to customer-managed lists. Remove it."
			}
			return ""
		})
		d.decodeManagedList(pl, o)
		return
	}
	o.label = "a customer-managed prefix list"
	d.allow(o, customerListKeys, nil)
	d.decodeCustomerList(pl, o)
}

// decodeFamily decodes the optional family key of a prefix list.
func (d *decoder) decodeFamily(o *object) (Family, value, bool) {
	v, ok := o.get("family")
	if !ok {
		return 0, value{}, false
	}
	name, ok := d.enum(v, "Invalid value", "address family", familyNames, true)
	if !ok {
		return 0, v, false
	}
	if name == "ipv6" {
		return IPv6, v, true
	}
	return IPv4, v, true
}

func (d *decoder) decodeManagedList(pl *PrefixList, o *object) {
	v, _ := o.get("aws_managed")
	name, ok := d.str(v, "the name of an AWS-managed prefix list")
	if !ok {
		return
	}
	m, ok := lookupManaged(name)
	if !ok {
		detail := "\"" + name + "\" is not a known AWS-managed prefix list."
		if s := suggest(name, managedNames()); s != "" {
			detail += " Did you mean \"" + s + "\"?"
		}
		d.errorf(v.at, v.path, "Invalid value", "%s Known lists are %s, where REGION is a Region name such as us-east-1.", detail, orList(managedNames(), "and"))
		return
	}
	pl.AWSManaged = name
	pl.Family = m.family
	pl.Weight = m.weight
	pl.SharedPool = m.sharedPool

	if f, fv, ok := d.decodeFamily(o); ok && f != m.family {
		d.errorf(fv.at, fv.path, "Invalid value", "%s is an %s list, but family is %s. Remove family or set it to %s.", m.name, familyName(m.family), f, m.family)
	}

	ev, ok := o.get("entries")
	if !ok {
		pl.Entries = []netip.Prefix{m.standIn}
		pl.StandIn = true
		return
	}
	entries, _, ok := d.prefixes(ev, m.family, "a list of the list's CIDR blocks")
	if ok && len(ev.node.Content) == 0 {
		d.errorf(ev.at, ev.path, "Invalid value", "entries is empty, but an AWS-managed list is never empty. Paste the list's real entries, or remove entries to use the stand-in block %s.", m.standIn)
	}
	pl.Entries = entries
}

func (d *decoder) decodeCustomerList(pl *PrefixList, o *object) {
	family, _, hasFamily := d.decodeFamily(o)
	if hasFamily {
		pl.Family = family
	}

	var count int
	if ev, ok := o.get("entries"); ok {
		entries, vals, _ := d.prefixes(ev, family, "a list of CIDR blocks")
		count = len(ev.node.Content)
		for i, p := range entries {
			f := familyOf(p.Addr())
			if pl.Family == 0 {
				pl.Family = f
			}
			if f != pl.Family {
				d.errorf(vals[i].at, vals[i].path, "Invalid CIDR", "%s is an %s block, but the list holds %s blocks. A prefix list holds one address family, so move it to a list of its own.",
					p, familyName(f), familyName(pl.Family))
				continue
			}
			pl.Entries = append(pl.Entries, p)
		}
	}
	if count == 0 && !hasFamily && o.ok && !o.has("family") {
		d.missing(o, "family", "A prefix list without entries requires \"family\", which is missing. Add family: ipv4 or family: ipv6.")
	}

	mv, ok := d.require(o, "max_entries", "max_entries: 10")
	if !ok {
		return
	}
	max, ok := d.intRange(mv, "Invalid value", "max_entries from 1 to 1000", 1, maxPrefixListEntries)
	if !ok {
		return
	}
	if count > max {
		d.errorf(mv.at, mv.path, "Invalid value", "max_entries is %d, but the list has %d entries. Raise max_entries to at least %d.", max, count, count)
	}
	pl.MaxEntries = max
	pl.Weight = max
}
