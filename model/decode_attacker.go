package model

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// attackerKeys lists the keys each attacker kind takes.
var attackerKeys = map[AttackerKind][]string{
	AttackerInternet:     {"kind", "knows_secrets", "own_distribution"},
	AttackerDistribution: {"kind", "knows_secrets"},
	AttackerCompromised:  {"kind", "knows_secrets", "tier"},
	AttackerAddressRange: {"kind", "knows_secrets", "cidrs"},
}

var attackerKinds = []AttackerKind{AttackerInternet, AttackerDistribution, AttackerCompromised, AttackerAddressRange}

func (d *decoder) decodeAttackers(v value) {
	entries := d.named(v, "attacker", false)
	if v.node.Kind == yaml.MappingNode && len(v.node.Content) == 0 {
		d.errorf(v.at, v.path, "Invalid value", "attackers is empty, so there is nothing to check. Define at least one attacker, or remove attackers to check against the default internet attacker.")
	}
	for _, e := range entries {
		a := &Attacker{Name: e.name, Path: e.value.path, Pos: d.pos(e.key)}
		d.s.Attackers = append(d.s.Attackers, a)
		d.decodeAttacker(a, e.value)
	}
}

func (d *decoder) decodeAttacker(a *Attacker, v value) {
	o := d.mapping(v, "an attacker")
	kindNames := mapNames(attackerKinds, func(k AttackerKind) string { return string(k) })
	if kv, ok := d.require(o, "kind", "kind: internet"); ok {
		if k, ok := d.enum(kv, "Invalid value", "attacker kind", kindNames, false); ok {
			a.Kind = AttackerKind(k)
		}
	}

	if a.Kind == "" {
		var all []string
		for _, k := range attackerKinds {
			for _, key := range attackerKeys[k] {
				if !slices.Contains(all, key) {
					all = append(all, key)
				}
			}
		}
		d.allow(o, all, nil)
		return
	}
	o.label = "an attacker of kind " + string(a.Kind)
	d.allow(o, attackerKeys[a.Kind], func(key string) string {
		var kinds []string
		for _, k := range attackerKinds {
			if slices.Contains(attackerKeys[k], key) {
				kinds = append(kinds, string(k))
			}
		}
		if len(kinds) == 0 {
			return ""
		}
		return fmt.Sprintf("Only attackers of kind %s take it.", orList(kinds, "and"))
	})

	a.OwnDistribution = a.Kind == AttackerInternet
	if ov, ok := o.get("own_distribution"); ok {
		if own, ok := d.boolean(ov); ok {
			a.OwnDistribution = own
		}
	}

	switch a.Kind {
	case AttackerCompromised:
		if tv, ok := d.require(o, "tier", "tier: app"); ok {
			a.Tier, _ = d.lookupTierOf(tv, "a compromised attacker's tier", KindECS, KindEC2, KindEKS, KindLambda, KindRDS, KindElastiCache)
		}
	case AttackerAddressRange:
		if cv, ok := d.require(o, "cidrs", "cidrs: [10.50.0.0/16]"); ok {
			cidrs, _, ok := d.prefixes(cv, 0, "a list of CIDR blocks")
			if ok && len(cv.node.Content) == 0 {
				d.errorf(cv.at, cv.path, "Invalid value", "The list of CIDR blocks is empty. List the ranges the attacker sends from.")
			}
			a.CIDRs = cidrs
		}
	}

	if sv, ok := o.get("knows_secrets"); ok {
		d.decodeKnownSecrets(a, sv)
	}
}

// decodeKnownSecrets decodes the names of leaked secret headers. Each must
// name a custom header marked secret on some origin.
func (d *decoder) decodeKnownSecrets(a *Attacker, v value) {
	items, ok := d.list(v, "a list of custom header names")
	if !ok {
		return
	}
	if d.secrets == nil {
		d.secrets = collectSecretHeaders(d.s.Tiers)
	}
	secret, public, secretNames := d.secrets.secret, d.secrets.public, d.secrets.names

	for _, item := range items {
		name, ok := d.str(item, "a custom header name")
		if !ok {
			continue
		}
		key := strings.ToLower(name)
		switch {
		case secret[key]:
			a.KnowsSecrets = append(a.KnowsSecrets, name)
		case public[key]:
			d.errorf(item.at, item.path, "Invalid value", "Custom header %s is not marked secret: true on any origin, so it has no secret value to leak. Mark the header secret or remove it here.", name)
		default:
			detail := fmt.Sprintf("No origin has a secret custom header named %q.", name)
			if s := suggest(name, secretNames); s != "" {
				detail += fmt.Sprintf(" Did you mean %q?", s)
			}
			if len(secretNames) == 0 {
				detail += " The scenario marks no custom header secret."
			} else {
				detail += fmt.Sprintf(" Secret headers are %s.", orList(secretNames, "and"))
			}
			d.errorf(item.at, item.path, "Unknown reference", "%s", detail)
		}
	}
}

// secretHeaders holds the custom header names of all origins, lower-cased,
// by whether some origin marks them secret.
type secretHeaders struct {
	secret, public map[string]bool
	// names are the secret header names as first written.
	names []string
}

func collectSecretHeaders(tiers []*Tier) *secretHeaders {
	h := &secretHeaders{secret: map[string]bool{}, public: map[string]bool{}}
	for _, t := range tiers {
		if t.CloudFront == nil {
			continue
		}
		for _, origin := range t.CloudFront.Origins {
			for _, header := range origin.CustomHeaders {
				key := strings.ToLower(header.Name)
				switch {
				case header.Secret && !h.secret[key]:
					h.secret[key] = true
					h.names = append(h.names, header.Name)
				case !header.Secret:
					h.public[key] = true
				}
			}
		}
	}
	return h
}
