package whatif

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Patch merges an overlay document into the scenario with the semantics of
// JSON Merge Patch (RFC 7386), applied to YAML: a mapping in the overlay
// merges into the mapping at the same key, key by key; a null value deletes
// the key; any other value, lists included, replaces what is there.
type Patch struct {
	Name    string // the overlay's file name, for messages
	Overlay []byte
}

func (c Patch) String() string { return "apply the overlay " + c.Name }

func (c Patch) apply(doc *yaml.Node) error {
	var root yaml.Node
	if err := yaml.Unmarshal(c.Overlay, &root); err != nil {
		return fmt.Errorf("the overlay is not valid YAML: %w", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return errors.New("the overlay is not a YAML mapping")
	}
	merge(doc, root.Content[0])
	return nil
}

// merge applies patch to the mapping target.
func merge(target, patch *yaml.Node) {
	for i := 0; i+1 < len(patch.Content); i += 2 {
		key, value := patch.Content[i].Value, patch.Content[i+1]
		switch {
		case value.Tag == "!!null":
			remove(target, key)
		case value.Kind == yaml.MappingNode:
			existing := lookup(target, key)
			if existing == nil || existing.Kind != yaml.MappingNode {
				existing = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				set(target, key, existing)
			}
			merge(existing, value)
		default:
			clearStyle(value)
			set(target, key, value)
		}
	}
}
