package sim

import (
	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/traverse"
)

// flowGraph is the directed graph of flow states one attacker reaches: a node
// is a packet arriving at a node of the architecture, an edge a delivered hop.
// Its adjacency keeps insertion order, so that traversals are deterministic.
type flowGraph struct {
	nodes []graph.Node
	out   map[int64][]graph.Node
	edges map[[2]int64]*Hop
	// parent is the node whose edge first reached each node.
	parent map[int64]int64
}

var _ traverse.Graph = (*flowGraph)(nil)

func newFlowGraph() *flowGraph {
	return &flowGraph{out: map[int64][]graph.Node{}, edges: map[[2]int64]*Hop{}, parent: map[int64]int64{}}
}

// addNode adds a node and returns its ID.
func (g *flowGraph) addNode() int64 {
	id := int64(len(g.nodes))
	g.nodes = append(g.nodes, simple.Node(id))
	return id
}

// addEdge records hop as the edge from u to v. A second hop between the same
// states is not recorded: the first is as good a witness.
func (g *flowGraph) addEdge(u, v int64, hop *Hop) {
	k := [2]int64{u, v}
	if _, ok := g.edges[k]; ok {
		return
	}
	g.edges[k] = hop
	g.out[u] = append(g.out[u], g.nodes[v])
	if _, ok := g.parent[v]; !ok {
		g.parent[v] = u
	}
}

// firstParent returns the node whose edge first reached id, or -1 for a node
// no edge reaches, such as the root.
func (g *flowGraph) firstParent(id int64) int64 {
	if p, ok := g.parent[id]; ok {
		return p
	}
	return -1
}

// From returns the nodes reachable from id in one hop, in insertion order.
func (g *flowGraph) From(id int64) graph.Nodes {
	return iterator.NewOrderedNodes(g.out[id])
}

// Edge returns the edge from uid to vid, or nil.
func (g *flowGraph) Edge(uid, vid int64) graph.Edge {
	if _, ok := g.edges[[2]int64{uid, vid}]; !ok {
		return nil
	}
	return simple.Edge{F: g.nodes[uid], T: g.nodes[vid]}
}

// shortestTree walks g breadth first from root and returns, for every node
// reached, the node before it on a shortest path (root maps to -1) and the
// nodes in visit order.
func (g *flowGraph) shortestTree(root int64) (parent map[int64]int64, order []int64) {
	parent = map[int64]int64{root: -1}
	var from int64
	bf := traverse.BreadthFirst{
		Traverse: func(e graph.Edge) bool {
			from = e.From().ID()
			return true
		},
		Visit: func(n graph.Node) {
			if _, ok := parent[n.ID()]; !ok {
				parent[n.ID()] = from
			}
			order = append(order, n.ID())
		},
	}
	bf.Walk(g, g.nodes[root], nil)
	return parent, order
}

// pathTo returns the node IDs from the root to id.
func pathTo(parent map[int64]int64, id int64) []int64 {
	var ids []int64
	for ; id >= 0; id = parent[id] {
		ids = append(ids, id)
	}
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	return ids
}
