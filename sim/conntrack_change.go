package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// Survival is the fate of the connections that a flow had established when
// a change cuts the flow off.
type Survival string

// Survival outcomes. Security groups track connections, so AWS documents
// that removing or narrowing a rule spares tracked connections until they
// go idle and cuts untracked flows at once. Network ACLs are stateless, so a
// rule that denies a flow cuts its connections at once.
const (
	SurvivesUntilIdle Survival = "survive until idle"
	CutAtOnce         Survival = "cut at once"
	// NotTracking marks a flow that the change cuts off at a filter that
	// connection tracking does not govern, such as a listener rule, or by
	// removing the tier or route it took.
	NotTracking Survival = "not decided by connection tracking"
)

// LostFlow is a flow that passes before a change and not after, with what
// the change does to its connections already established: an intended hop
// that breaks, or packets of an attacker that no longer reach a tier.
type LostFlow struct {
	// Reach is the lost reachability; nil for an intended hop.
	Reach *ReachChange
	// From and To name the intended hop that breaks; empty for Reach.
	From, To string
	// Path is the path the established connections take before the change.
	Path []string
	// Cuts are the hops of Path whose security groups admit the packet
	// before the change and not after.
	Cuts []Cut
	// Drop is the step that drops the packet after the change, on the hop
	// DropFrom -> DropTo of Path; nil when the changed scenario no longer
	// sends the packet along Path at all.
	Drop             *Step
	DropFrom, DropTo string
	Survival         Survival
	// Timeout is the shortest idle timeout of the tracked cuts; nil unless
	// Survival is SurvivesUntilIdle.
	Timeout *IdleTimeout
	// Reason explains Survival in a sentence.
	Reason string
	// Remedy is how to cut the surviving connections at once, or why no
	// network ACL can. It is empty unless Survival is SurvivesUntilIdle.
	Remedy string
}

// Cut is one hop whose security groups stop admitting a flow's packet.
type Cut struct {
	From, To string
	// Filter is FilterEgress (the sender's groups) or FilterIngress (the
	// receiver's).
	Filter Filter
	// Before is the rule that admitted the packet before the change.
	Before string
	// After is the step's explanation after the change.
	After string
	// Tracking is the tracking, before the change, on the end whose groups
	// cut the flow.
	Tracking *InterfaceTracking
	// remedy is the advice on the network ACL rule that would cut the
	// connections at once.
	remedy string
}

// CutBySecurityGroup reports whether the change removes or narrows a
// security-group rule that the flow passed.
func (f *LostFlow) CutBySecurityGroup() bool { return len(f.Cuts) > 0 }

// LostFlows classifies every flow that diff d, computed from before and
// after, shows lost: each intended hop that goes from holds to broken, and
// each reach change of kind NoLongerReaches. For each it finds the hops
// whose security groups no longer admit the packet and decides, from the
// connection tracking before the change, whether connections already
// established survive.
func LostFlows(before, after *model.Scenario, d *DiffReport) []LostFlow {
	n1, n2 := Compile(before), Compile(after)
	var out []LostFlow
	for _, v := range d.Verdicts {
		if v.Kind == "hop" && v.Before == Holds && v.After == Broken {
			out = append(out, lostHop(n1, n2, d, v.From, v.To))
		}
	}
	for i := range d.Reach {
		if r := &d.Reach[i]; r.Change == NoLongerReaches {
			out = append(out, lostReach(n1, n2, r)...)
		}
	}
	return out
}

// lostHop classifies an intended hop that breaks, from its evidence in the
// reports before and after the change.
func lostHop(n1, n2 *Network, d *DiffReport, from, to string) LostFlow {
	f := LostFlow{From: from, To: to}
	hv := func(r *Report) *HopVerdict {
		i := slices.IndexFunc(r.Hops, func(h HopVerdict) bool { return h.From == from && h.To == to })
		if i < 0 {
			return nil
		}
		return &r.Hops[i]
	}
	b, a := hv(d.BeforeReport), hv(d.AfterReport)
	if b == nil || len(b.Hops) == 0 {
		f.classify(nil)
		return f
	}
	hops := slices.Clone(b.Hops)
	n1.trackHops(hops)
	f.Path = hopPath(hops)
	f.Cuts = n2.cuts(n1, hops)
	if a != nil && len(a.Hops) > 0 {
		last := a.Hops[len(a.Hops)-1]
		if st, ok := droppingStep(&last); ok {
			f.Drop, f.DropFrom, f.DropTo = &st, last.From, last.To
		}
	}
	f.classify(n1)
	return f
}

// lostReach classifies a reach change of kind NoLongerReaches: its example
// packet is followed through the scenario before the change along every path
// that starts at the change's entry, and each path is one lost flow.
func lostReach(n1, n2 *Network, r *ReachChange) []LostFlow {
	req := Request{From: r.Attacker, To: r.Tier, Protocol: r.Example.Protocol, HasProtocol: true, Src: r.Example.Src,
		Headers: r.Example.Headers}
	if req.Headers == nil {
		req.Headers = []Header{}
	}
	if r.Example.Protocol.HasPorts() {
		req.Port, req.HasPort = r.Example.Port, true
	}
	x1 := n1.exploreFor(&req)
	if x1 == nil {
		f := LostFlow{Reach: r, Path: r.Path}
		f.classify(nil)
		return []LostFlow{f}
	}
	x2 := n2.exploreFor(&req)

	var out []LostFlow
	seen := map[string]bool{}
	for _, id := range x1.order {
		st := x1.states[id]
		if st.tier == nil || st.tier.Name != r.Tier || st == x1.states[0] {
			continue
		}
		path := x1.path(st)
		names := nodeNames(path)
		key := strings.Join(names, ">")
		if len(names) < 2 || names[1] != r.Entry || seen[key] {
			continue
		}
		seen[key] = true
		hops := x1.hops(path)
		n1.trackHops(hops)
		f := LostFlow{Reach: r, Path: names, Cuts: n2.cuts(n1, hops)}
		if x2 != nil {
			if d := deepestDrop(x2, names); d != nil {
				if st, ok := droppingStep(&d.hop); ok {
					f.Drop, f.DropFrom, f.DropTo = &st, d.hop.From, d.hop.To
				}
			}
		}
		f.classify(n1)
		out = append(out, f)
	}
	if len(out) == 0 {
		f := LostFlow{Reach: r, Path: r.Path}
		f.classify(nil)
		out = append(out, f)
	}
	return out
}

// exploreFor explores the packets of a trace request, or returns nil when
// the request's attacker or target is not in the scenario.
func (n *Network) exploreFor(req *Request) *exploration {
	a, err := n.traceAttacker(req.From)
	target := n.tiers[req.To]
	if err != nil || target == nil {
		return nil
	}
	if a.Kind == model.AttackerCompromised && a.Tier.Name == target.Name {
		return nil
	}
	x := n.exploreRequest(a, req, target)
	if x.err != nil {
		return nil
	}
	return x
}

// deepestDrop returns the drop furthest along the path of node names: a
// packet that passes some hops of the path and is dropped at the next.
func deepestDrop(x *exploration, names []string) *dropped {
	var best *dropped
	bestLen := 0
	for i := range x.drops {
		d := &x.drops[i]
		prefix := append(nodeNames(x.path(d.from)), d.hop.To)
		if len(prefix) > len(names) || !slices.Equal(prefix, names[:len(prefix)]) {
			continue
		}
		if len(prefix) > bestLen {
			best, bestLen = d, len(prefix)
		}
	}
	return best
}

// droppingStep returns the step of h that dropped its packet.
func droppingStep(h *Hop) (Step, bool) {
	for _, st := range h.Steps {
		if !st.Allowed {
			return st, true
		}
	}
	return Step{}, false
}

// hopPath returns the node names along consecutive hops.
func hopPath(hops []Hop) []string {
	out := []string{hops[0].From}
	for _, h := range hops {
		out = append(out, h.To)
	}
	return out
}

// cuts evaluates the security groups of n, the network after a change, on
// each hop of a path taken before it. A hop whose sender's egress rules or
// receiver's ingress rules no longer admit its packet is a cut. The packet
// keeps its addresses, as an established connection does; its group
// identity is the sending tier's groups in n.
func (n *Network) cuts(before *Network, hops []Hop) []Cut {
	var out []Cut
	for i := range hops {
		h := &hops[i]
		if h.Tracking == nil {
			continue
		}
		send, recv := n.senderTier(h.From), n.tiers[h.To]
		if recv == nil || (send == nil && before.senderTier(h.From) != nil) {
			// The change removed a tier of the hop, so the hop is gone
			// rather than cut by a security group.
			continue
		}
		p := h.Packet
		if len(p.Identity) > 0 {
			p.Identity = nil
			if send != nil {
				p.Identity = send.SecurityGroups
			}
		}
		if p.dstGroups != nil && recv != nil {
			p.dstGroups = recv.SecurityGroups
		}
		for _, side := range []struct {
			tier     *tierInfo
			dir      model.Direction
			filter   Filter
			tracking *InterfaceTracking
		}{
			{send, model.Egress, FilterEgress, h.Tracking.Sender},
			{recv, model.Ingress, FilterIngress, h.Tracking.Receiver},
		} {
			was, ok := sgStepOf(h, side.filter)
			if !ok || side.tier == nil || len(side.tier.SecurityGroups) == 0 {
				continue
			}
			now := sgStep(side.tier, side.dir, &p)
			if now.Allowed {
				continue
			}
			out = append(out, Cut{From: h.From, To: h.To, Filter: side.filter, Before: was.Rule, After: now.Detail,
				Tracking: side.tracking, remedy: before.naclRemedy(h, side.dir)})
		}
	}
	return out
}

// sgStepOf returns the security-group step of h with the given filter, when
// a security-group rule decided it.
func sgStepOf(h *Hop, f Filter) (Step, bool) {
	for _, st := range h.Steps {
		if st.Filter == f && st.rule != nil {
			return st, true
		}
	}
	return Step{}, false
}

// naclRemedy returns where a network ACL rule that denies h's packet would cut
// its connections: outbound on the sender's subnets for an egress cut,
// inbound on the receiver's for an ingress cut. Network ACLs filter only
// traffic that crosses a subnet boundary, so none can cut a hop within one
// subnet.
func (n *Network) naclRemedy(h *Hop, dir model.Direction) string {
	send, recv := n.senderTier(h.From), n.tiers[h.To]
	what := h.Packet.Protocol.String()
	if h.Packet.Protocol.HasPorts() {
		what += " " + h.Packet.PortString()
	}
	if send != nil && recv != nil && subnetOf(send) != nil && subnetOf(send) == subnetOf(recv) {
		return fmt.Sprintf("no network ACL can cut them at once: %s and %s are in the same subnet %s, and network ACLs filter only traffic that crosses a subnet boundary",
			send.Name, recv.Name, subnetOf(send).Name)
	}
	// The rule names the other end, so that it cuts only this flow and
	// not every client of the same port.
	end, way, peer := recv, "inbound", "from "+netip.PrefixFrom(h.Packet.Src, h.Packet.Src.BitLen()).String()
	if dir == model.Egress {
		end, way, peer = send, "outbound", "to "+netip.PrefixFrom(h.Packet.Dst, h.Packet.Dst.BitLen()).String()
	}
	if !h.Packet.Src.IsValid() || !h.Packet.Dst.IsValid() {
		peer = ""
	} else {
		what += " " + peer
	}
	if end == nil || len(end.Subnets) == 0 {
		return ""
	}
	names := make([]string, len(end.Subnets))
	for i, sn := range end.Subnets {
		names[i] = sn.Name
	}
	return fmt.Sprintf("to cut them at once, add an %s network ACL rule that denies %s on the subnets of %s (%s): network ACLs are stateless, so a new deny rule breaks established connections",
		way, what, end.Name, strings.Join(names, ", "))
}

// classify decides Survival, Timeout, Reason and Remedy from the cuts and
// the drop after the change. before is the network before the change, or
// nil when the flow could not be followed there.
func (f *LostFlow) classify(before *Network) {
	if before == nil || len(f.Path) == 0 {
		f.Survival = NotTracking
		f.Reason = "the model cannot follow this flow before the change, so it cannot tell what happens to its connections"
		return
	}
	var cutNow, survive []string
	for _, c := range f.Cuts {
		t := c.Tracking
		hop := c.From + " -> " + c.To
		switch {
		case t == nil:
			cutNow = append(cutNow, fmt.Sprintf("no connection state is kept for hop %s", hop))
		case t.State == Untracked:
			cutNow = append(cutNow, fmt.Sprintf("%s does not track hop %s because %s", t.Tier, hop, t.Reason))
		default:
			survive = append(survive, fmt.Sprintf("%s tracks hop %s %s", t.Tier, hop, trackingCause(t)))
			f.Timeout = firstToExpire(f.Timeout, t.Timeout)
			if f.Remedy == "" {
				f.Remedy = c.remedy
			}
		}
	}
	naclDrop := f.Drop != nil && (f.Drop.Filter == FilterNACLOut || f.Drop.Filter == FilterNACLIn || f.Drop.Filter == FilterNACLReply)
	switch {
	case naclDrop:
		f.Survival, f.Timeout, f.Remedy = CutAtOnce, nil, ""
		f.Reason = fmt.Sprintf("a network ACL now denies it on hop %s -> %s (%s); network ACLs are stateless, so established connections are cut at once",
			f.DropFrom, f.DropTo, f.Drop.Detail)
	case len(cutNow) > 0:
		f.Survival, f.Timeout, f.Remedy = CutAtOnce, nil, ""
		f.Reason = strings.Join(cutNow, "; ") + ", so the change cuts established connections at once"
	case len(survive) > 0:
		f.Survival = SurvivesUntilIdle
		f.Reason = strings.Join(survive, "; ") + ", so established connections keep working until they go idle"
	case f.Drop != nil:
		f.Survival = NotTracking
		f.Reason = fmt.Sprintf("after the change the %s step drops it on hop %s -> %s (%s), which connection tracking does not govern",
			f.Drop.Filter, f.DropFrom, f.DropTo, f.Drop.Detail)
	default:
		f.Survival = NotTracking
		f.Reason = "after the change nothing sends it along this path any more, so connection tracking does not decide what happens to its connections"
	}
}

// trackingCause returns why an interface tracks a flow as a clause that
// starts with "because", naming the component of an automatically tracked
// one.
func trackingCause(t *InterfaceTracking) string {
	if t.State == AutoTracked {
		return fmt.Sprintf("automatically because %s (%s)", t.Reason, t.Component)
	}
	return "because " + t.Reason
}

// firstToExpire returns the timeout that ends a connection first. A
// timeout without a documented value may be the shorter one, so it wins.
func firstToExpire(a, b *IdleTimeout) *IdleTimeout {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.Seconds == 0:
		return a
	case b.Seconds == 0 || b.Seconds < a.Seconds:
		return b
	}
	return a
}
