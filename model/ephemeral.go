package model

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Ephemeral port ranges that a tier's interfaces pick source ports from when
// they open a connection.
//
// Source: Amazon VPC User Guide, Network ACLs, "Ephemeral ports". It gives
// 1024-65535 for Elastic Load Balancing and Lambda, and 32768-61000 for "many
// Linux kernels (including the Amazon Linux kernel)". The Linux kernel's
// documentation of net.ipv4.ip_local_port_range (ip-sysctl) gives 32768-60999
// as the default, and older kernels used 32768-61000. The Linux kinds take
// the current default, and RDS and ElastiCache count as Linux because their
// engines run on it. Windows Server 2008 and later use 49152-65535, so a
// scenario sets ephemeral_ports for a Windows EC2 tier.
var (
	elbEphemeralPorts   = PortRange{1024, 65535}
	linuxEphemeralPorts = PortRange{32768, 60999}
)

// defaultEphemeralPorts maps each kind to its range. CloudFront has no entry
// and keeps the zero range, so the simulator chooses one.
var defaultEphemeralPorts = map[Kind]PortRange{
	KindALB:         elbEphemeralPorts,
	KindNLB:         elbEphemeralPorts,
	KindLambda:      elbEphemeralPorts,
	KindECS:         linuxEphemeralPorts,
	KindEC2:         linuxEphemeralPorts,
	KindEKS:         linuxEphemeralPorts,
	KindRDS:         linuxEphemeralPorts,
	KindElastiCache: linuxEphemeralPorts,
}

// decodeEphemeralPorts sets the tier's ephemeral port range from the
// ephemeral_ports key, or to the default of its kind.
func (d *decoder) decodeEphemeralPorts(t *Tier, o *object) {
	t.EphemeralPorts = defaultEphemeralPorts[t.Kind]
	if v, ok := o.get("ephemeral_ports"); ok {
		if r, ok := d.ephemeralRange(v); ok {
			t.EphemeralPorts = r
		}
	}
}

// ephemeralRange decodes a source-port range: "N-M" or a single port, from
// 1 to 65535. Unlike a rule's ports it takes neither all nor port 0, which
// no connection uses as its source port.
func (d *decoder) ephemeralRange(v value) (PortRange, bool) {
	const expected = `a port range such as "32768-60999", or a single port, from 1 to 65535`
	n := v.node
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!str") {
		d.wrongType(v, expected)
		return PortRange{}, false
	}
	s := strings.TrimSpace(n.Value)
	if strings.EqualFold(s, "all") {
		d.errorf(v.at, v.path, "Invalid port", "ephemeral_ports takes the range itself rather than all. Write the range the tier's clients use, such as \"1024-65535\".")
		return PortRange{}, false
	}

	from, to, isRange := strings.Cut(s, "-")
	if n.ShortTag() == "!!int" || !isRange {
		p, ok := d.ephemeralPort(v, s, expected)
		return PortRange{p, p}, ok
	}
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if !isDigits(from) || !isDigits(to) {
		d.errorf(v.at, v.path, "Invalid port", "%q is not a port range. Expected %s.", s, expected)
		return PortRange{}, false
	}
	lo, okLo := d.ephemeralPort(v, from, expected)
	hi, okHi := d.ephemeralPort(v, to, expected)
	if !okLo || !okHi {
		return PortRange{}, false
	}
	if lo > hi {
		d.errorf(v.at, v.path, "Invalid port", "The range %s starts above its end. Did you mean %d-%d?", s, hi, lo)
		return PortRange{}, false
	}
	return PortRange{lo, hi}, true
}

// ephemeralPort parses the port s, taken from v, and checks that it lies
// from 1 to 65535.
func (d *decoder) ephemeralPort(v value, s, expected string) (int, bool) {
	if v.node.ShortTag() == "!!str" && !isDigits(s) {
		d.errorf(v.at, v.path, "Invalid port", "%q is not a port. Expected %s.", s, expected)
		return 0, false
	}
	p, problem := parseInt(s)
	switch {
	case problem != "":
		d.errorf(v.at, v.path, "Invalid port", "%s Expected %s.", problem, expected)
		return 0, false
	case p < 1 || p > maxPort:
		d.errorf(v.at, v.path, "Invalid port", "%s is out of range. Expected %s.", s, expected)
		return 0, false
	}
	return p, true
}
