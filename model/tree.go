package model

import (
	"go.yaml.in/yaml/v3"
)

// treeShape holds the size and height of each node of a document with its
// aliases expanded.
type treeShape struct {
	size   map[*yaml.Node]int
	height map[*yaml.Node]int
	active map[*yaml.Node]bool
	// cycle is the first alias found inside the node it names.
	cycle *yaml.Node
}

// saturate caps sizes so that nested aliases cannot overflow an int.
const saturate = 1 << 40

// checkTree reports a document whose aliases refer to themselves, whose
// alias expansion adds more than MaxAliasExpansion nodes, or whose nesting
// exceeds MaxDepth levels. The decoder follows aliases wherever they occur,
// so only a document that passes is safe to walk.
func (d *decoder) checkTree(doc *yaml.Node) bool {
	root := doc.Content[0]
	// Without aliases the tree is as written, so only its height needs
	// checking, which a walk without the bookkeeping below does several
	// times faster on large files. A tree too deep takes the full path,
	// which finds the node to report.
	if h, aliased := plainHeight(root, 1); !aliased && h <= MaxDepth {
		return true
	}
	t := &treeShape{
		size:   map[*yaml.Node]int{},
		height: map[*yaml.Node]int{},
		active: map[*yaml.Node]bool{},
	}
	t.measure(root)
	if t.cycle != nil {
		d.errorf(t.cycle, "", "Recursive alias", "The alias *%s refers to a node that contains the alias itself, so expanding it never ends. Point it at a node outside the anchored one.", t.cycle.Value)
		return false
	}

	written, biggest := countWritten(root, t)
	if added := t.size[root] - written; added > MaxAliasExpansion {
		d.errorf(biggest, "", "Alias expansion too large", "Expanding the aliases in this document would add %s nodes, more than the limit of %d. Write the repeated parts out or use fewer nested aliases.", countText(added), MaxAliasExpansion)
		return false
	}

	if t.height[root] > MaxDepth {
		d.errorf(t.deepNode(root), "", "Nesting too deep", "The document nests mappings and lists more than %d levels deep. A scenario needs about 12.", MaxDepth)
		return false
	}
	return true
}

// measure fills in the expanded size and height of n and its descendants.
func (t *treeShape) measure(n *yaml.Node) (size, height int) {
	if s, ok := t.size[n]; ok {
		return s, t.height[n]
	}
	if t.active[n] {
		if t.cycle == nil {
			t.cycle = n
		}
		return 0, 0
	}
	t.active[n] = true
	if n.Kind == yaml.AliasNode {
		switch {
		case n.Alias == nil:
		case t.active[n.Alias]:
			if t.cycle == nil {
				t.cycle = n
			}
		default:
			size, height = t.measure(n.Alias)
		}
	} else {
		size = 1
		for _, c := range n.Content {
			s, h := t.measure(c)
			size = min(size+s, saturate)
			height = max(height, h)
		}
		height++
	}
	t.active[n] = false
	t.size[n], t.height[n] = size, height
	return size, height
}

// countWritten returns the number of nodes of the tree under n as written,
// counting each alias as one node, and the alias whose target is largest.
func countWritten(n *yaml.Node, t *treeShape) (count int, biggest *yaml.Node) {
	if n.Kind == yaml.AliasNode {
		return 1, n
	}
	count = 1
	for _, c := range n.Content {
		k, b := countWritten(c, t)
		count += k
		if b != nil && (biggest == nil || t.size[b] > t.size[biggest]) {
			biggest = b
		}
	}
	return count, biggest
}

// deepNode returns the first node below MaxDepth levels on the deepest path
// from root.
func (t *treeShape) deepNode(root *yaml.Node) *yaml.Node {
	n := root
	for depth := 1; depth <= MaxDepth; depth++ {
		n = resolve(n)
		var next *yaml.Node
		for _, c := range n.Content {
			if next == nil || t.height[c] > t.height[next] {
				next = c
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return n
}

// countText formats a node count, which may be saturated.
func countText(n int) string {
	if n >= saturate-MaxAliasExpansion {
		return "more than a trillion"
	}
	return itoa(n)
}

// plainHeight returns the height of the tree under n, whose depth is
// depth, and whether the tree holds an alias. It stops descending below
// MaxDepth+1 levels, which is enough to tell that the tree is too deep.
func plainHeight(n *yaml.Node, depth int) (height int, aliased bool) {
	if n.Kind == yaml.AliasNode {
		return 0, true
	}
	if depth > MaxDepth {
		return 1, false
	}
	for _, c := range n.Content {
		h, a := plainHeight(c, depth+1)
		if a {
			return 0, true
		}
		height = max(height, h)
	}
	return height + 1, false
}
