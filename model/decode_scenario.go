package model

var scenarioKeys = []string{"name", "description", "vpcs", "prefix_lists", "security_groups", "network_acls", "peerings", "transit_gateways", "tiers", "chain", "attackers", "expect"}

// decodeScenario decodes the top-level mapping. Sections are decoded in
// dependency order, whatever their order in the file, so that a reference
// always finds the definitions it may name.
func (d *decoder) decodeScenario(root value) {
	s := d.s
	s.Pos = d.pos(root.node)
	o := d.object(root, "the scenario", scenarioKeys, nil)
	if !o.ok {
		return
	}

	if v, ok := d.require(o, "name", "name: checkout-api"); ok {
		if name, ok := d.str(v, "the scenario name as a string"); ok {
			if name == "" {
				d.errorf(v.at, v.path, "Invalid value", "The scenario name is empty. Give the name that reports show, such as checkout-api.")
			}
			s.Name = name
		}
	}
	if v, ok := o.get("description"); ok {
		s.Description, _ = d.text(v, "a description as a string")
	}

	if v, ok := d.require(o, "vpcs", "vpcs: {main: {cidr: 10.0.0.0/16, subnets: {app-a: {cidr: 10.0.1.0/24}}}}"); ok {
		d.decodeVPCs(v)
	}
	if v, ok := o.get("peerings"); ok {
		d.decodePeerings(v)
	}
	if v, ok := o.get("transit_gateways"); ok {
		d.decodeTransitGateways(v)
	}
	if v, ok := o.get("prefix_lists"); ok {
		d.decodePrefixLists(v)
	}
	if v, ok := o.get("security_groups"); ok {
		d.decodeSecurityGroups(v)
	}
	if v, ok := o.get("network_acls"); ok {
		d.decodeNetworkACLs(v)
	}
	if v, ok := d.require(o, "tiers", "tiers: {app: {kind: ecs, subnets: [app-a], security_groups: [app]}}"); ok {
		d.decodeTiers(v)
	}
	if v, ok := d.require(o, "chain", "chain: [[alb], [app]]"); ok {
		d.decodeChain(v)
	}
	if v, ok := o.get("attackers"); ok {
		d.decodeAttackers(v)
	} else {
		s.Attackers = []*Attacker{defaultAttacker(s.Pos)}
	}
	if v, ok := o.get("expect"); ok {
		d.decodeExpect(v)
	}

	for _, check := range d.deferred {
		check()
	}
	d.finishRoutes()
	d.assignAddresses()
}

// defaultAttacker is the attacker assumed when a scenario lists none: anyone
// on the internet, with a CloudFront distribution of their own.
func defaultAttacker(pos Pos) *Attacker {
	return &Attacker{
		Name:            "internet",
		Kind:            AttackerInternet,
		OwnDistribution: true,
		Path:            "attackers.internet",
		Pos:             pos,
	}
}
