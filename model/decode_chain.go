package model

import (
	"go.yaml.in/yaml/v3"
)

// minStages is the shortest chain: where traffic enters and where it ends.
const minStages = 2

// decodeChain decodes the chain: a list of stages, each a list of tier
// names or a single tier name.
func (d *decoder) decodeChain(v value) {
	items, ok := d.list(v, "a list of stages, each a tier name or a list of tier names")
	if !ok {
		return
	}
	if len(items) < minStages {
		d.errorf(v.at, v.path, "Invalid value", "The chain has %s, but it needs at least %d: the tier where traffic enters and the tier it must reach.", plural(len(items), "stage"), minStages)
	}

	placed := map[*Tier]value{}
	for i, item := range items {
		stage := &Stage{Index: i, Path: item.path, Pos: d.pos(item.at)}
		d.s.Chain = append(d.s.Chain, stage)

		var names []value
		switch item.node.Kind {
		case yaml.SequenceNode:
			names, _ = d.list(item, "a list of tier names")
			if len(names) == 0 {
				d.errorf(item.at, item.path, "Invalid value", "Stage %d is empty. Name the tiers that may carry the traffic at this step, or remove the stage.", i)
			}
		case yaml.ScalarNode:
			names = []value{item}
		default:
			d.wrongType(item, "a tier name or a list of tier names")
		}

		for _, nv := range names {
			t, ok := d.lookupTier(nv)
			if !ok {
				continue
			}
			if first, dup := placed[t]; dup {
				d.errorf(nv.at, nv.path, "Duplicate reference", "Tier %s is already in stage %s on line %d. A tier belongs to at most one stage.", t.Name, stageOf(first.path), first.at.Line)
				continue
			}
			if t.Kind == KindAWSService {
				d.errorf(nv.at, nv.path, "Invalid reference", "Tier %s is an AWS service, which AWS runs and no attacker path of the design leads into. Name it only as a connects_to destination, and keep it out of the chain.", t.Name)
				continue
			}
			placed[t] = nv
			stage.Tiers = append(stage.Tiers, t)
		}
	}
}

// stageOf returns the stage part, such as chain[1], of the path of a tier
// name in the chain.
func stageOf(path string) string {
	for i := len("chain["); i < len(path); i++ {
		if path[i] == ']' {
			return path[:i+1]
		}
	}
	return path
}
