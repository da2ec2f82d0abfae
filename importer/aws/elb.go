package aws

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sgchain/sgchain/importer"
)

func (r *reader) readLoadBalancers() {
	for _, v := range r.loadBalancers {
		arn := v.Get("LoadBalancerArn").Str()
		lb := &importer.LoadBalancer{
			Key:     arn,
			Type:    v.Get("Type").Str(),
			Scheme:  v.Get("Scheme").Str(),
			DNSName: v.Get("DNSName").Str(),
			// IpAddressType is ipv4, dualstack or
			// dualstack-without-public-ipv4.
			IPAddressType: v.Get("IpAddressType").Str(),
			Groups:        v.Get("SecurityGroups").Strs(),
			// describe-load-balancers leaves SecurityGroups out for an
			// NLB created without groups.
			GroupsKnown: true,
			Loc:         v.Loc(),
		}
		name := v.Get("LoadBalancerName").Str()
		lb.Names = []importer.NameHint{{Rank: importer.RankOwnName, Value: name}}
		for _, az := range v.Get("AvailabilityZones").List() {
			if s := az.Get("SubnetId").Str(); s != "" {
				lb.Subnets = append(lb.Subnets, s)
			}
			for _, a := range az.Get("LoadBalancerAddresses").List() {
				if ip := a.Get("PrivateIPv4Address").Str(); ip != "" {
					lb.PrivateIPs = append(lb.PrivateIPs, ip)
				}
			}
		}
		r.inv.LoadBalancers = append(r.inv.LoadBalancers, lb)
		r.lbByARN[arn] = lb
		if _, suffix, ok := strings.Cut(arn, ":loadbalancer/"); ok {
			r.lbBySufx[suffix] = lb
		}
	}
}

func (r *reader) readTargetGroups() {
	for _, v := range r.targetGroups {
		tg := &importer.TargetGroup{
			Key:        v.Get("TargetGroupArn").Str(),
			Protocol:   v.Get("Protocol").Str(),
			TargetType: v.Get("TargetType").Str(),
			Loc:        v.Loc(),
		}
		tg.Names = []importer.NameHint{{Rank: importer.RankOwnName, Value: v.Get("TargetGroupName").Str()}}
		tg.Port, _ = v.Get("Port").Int()
		tg.HealthCheckPort, _ = v.Get("HealthCheckPort").Int()
		r.inv.TargetGroups = append(r.inv.TargetGroups, tg)
		r.tgByARN[tg.Key] = tg
	}
	for _, doc := range r.targetHealth {
		tg := r.targetGroupOf(doc)
		if tg == nil {
			continue
		}
		tg.MembersKnown = true
		for _, d := range doc.root.Get("TargetHealthDescriptions").List() {
			tg.Members = append(tg.Members, member(d.Get("Target")))
		}
	}
}

// member reads a registered target: an IP address, an instance id, a
// Lambda function ARN or an ALB ARN.
func member(t importer.JSON) importer.Member {
	id := t.Get("Id").Str()
	m := importer.Member{}
	m.Port, _ = t.Get("Port").Int()
	switch {
	case strings.HasPrefix(id, "i-"):
		m.InstanceID = id
	case strings.HasPrefix(id, "arn:") && strings.Contains(id, ":elasticloadbalancing:"):
		m.LB = id
	case strings.HasPrefix(id, "arn:") && strings.Contains(id, ":lambda:"):
		parts := strings.Split(id, ":")
		m.Identity = "lambda:" + parts[min(6, len(parts)-1)]
	default:
		m.IP = id
	}
	return m
}

// targetGroupOf finds the target group a describe-target-health output
// belongs to, because the output does not name it. It uses, in order, a
// TargetGroupArn key added beside the output, a target group name or id
// in the file name, and the only target group of the input.
func (r *reader) targetGroupOf(doc *document) *importer.TargetGroup {
	if arn := doc.root.Get("TargetGroupArn").Str(); arn != "" {
		if tg := r.tgByARN[arn]; tg != nil {
			return tg
		}
	}
	base := strings.TrimSuffix(doc.base, filepath.Ext(doc.base))
	var best *importer.TargetGroup
	bestLen := 0
	for _, tg := range r.inv.TargetGroups {
		for _, candidate := range []string{targetGroupName(tg.Key), targetGroupID(tg.Key)} {
			if candidate != "" && len(candidate) > bestLen && containsWord(base, candidate) {
				best, bestLen = tg, len(candidate)
			}
		}
	}
	if best != nil {
		return best
	}
	if len(r.inv.TargetGroups) == 1 {
		return r.inv.TargetGroups[0]
	}
	r.inv.Warnings.Add(doc.root.Loc(), importer.Unresolved, "describe-target-health output does not say which target group it belongs to; name the file after the target group (for example target-health.shop-app.json) so that its targets are read")
	return nil
}

// targetGroupName and targetGroupID return the parts of a target group ARN
// (...:targetgroup/NAME/ID).
func targetGroupName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":targetgroup/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

func targetGroupID(arn string) string {
	_, rest, ok := strings.Cut(arn, ":targetgroup/")
	if !ok {
		return ""
	}
	_, id, _ := strings.Cut(rest, "/")
	return id
}

// containsWord reports whether word occurs in s between characters that
// cannot belong to a target group name.
func containsWord(s, word string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], word)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(word)
		before := start == 0 || !isNameChar(s[start-1])
		after := end == len(s) || !isNameChar(s[end])
		if before && after {
			return true
		}
		i = start + 1
	}
}

func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

func (r *reader) readListeners() {
	for _, v := range r.listeners {
		arn := v.Get("ListenerArn").Str()
		lb := r.lbByARN[v.Get("LoadBalancerArn").Str()]
		if lb == nil {
			r.inv.Warnings.Add(v.Loc(), importer.Unresolved, "listener %s belongs to load balancer %s, which is not in the input; it is not read", arn, v.Get("LoadBalancerArn").Str())
			continue
		}
		l := &importer.Listener{Key: arn, Protocol: v.Get("Protocol").Str(), Loc: v.Loc()}
		l.Port, _ = v.Get("Port").Int()
		l.Default = actions(v.Get("DefaultActions"))
		lb.Listeners = append(lb.Listeners, l)
		r.listenerByARN[arn] = l
	}
	for _, v := range r.rules {
		arn := v.Get("RuleArn").Str()
		if isDefault, _ := v.Get("IsDefault").Bool(); isDefault {
			// The default rule repeats the listener's DefaultActions.
			continue
		}
		l := r.listenerByARN[listenerOfRule(arn)]
		if l == nil {
			r.inv.Warnings.Add(v.Loc(), importer.Unresolved, "rule %s belongs to a listener that is not in the input (aws elbv2 describe-listeners); it is not read", arn)
			continue
		}
		rule := &importer.ListenerRule{Loc: v.Loc(), Actions: actions(v.Get("Actions"))}
		var ok bool
		if rule.Priority, ok = v.Get("Priority").Int(); !ok {
			r.inv.Warnings.Add(v.Get("Priority").Loc(), importer.NotUnderstood, "rule %s has the priority %q; it is not read", arn, v.Get("Priority").Str())
			continue
		}
		for _, c := range v.Get("Conditions").List() {
			rule.Conditions = append(rule.Conditions, condition(c))
		}
		l.Rules = append(l.Rules, rule)
	}
}

// listenerOfRule returns the listener ARN a rule ARN belongs to:
// ...:listener-rule/app/NAME/LB-ID/LISTENER-ID/RULE-ID belongs to
// ...:listener/app/NAME/LB-ID/LISTENER-ID.
func listenerOfRule(arn string) string {
	arn = strings.Replace(arn, ":listener-rule/", ":listener/", 1)
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[:i]
	}
	return arn
}

// condition reads a rule condition in either of the forms Elastic Load
// Balancing prints: the typed configuration (HttpHeaderConfig,
// SourceIpConfig, ...) or the older Values list beside Field.
func condition(c importer.JSON) *importer.Condition {
	out := &importer.Condition{Field: c.Get("Field").Str(), Loc: c.Loc()}
	legacy := c.Get("Values").Strs()
	switch out.Field {
	case "http-header":
		cfg := c.Get("HttpHeaderConfig")
		out.HeaderName = cfg.Get("HttpHeaderName").Str()
		if out.HeaderName == "" {
			out.HeaderName = c.Get("HttpHeaderName").Str()
		}
		values := cfg.Get("Values").Strs()
		if len(values) == 0 {
			values = legacy
		}
		for _, v := range values {
			out.Values = append(out.Values, importer.Value{Text: v})
		}
	case "source-ip":
		out.SourceIPs = c.Path("SourceIpConfig", "Values").Strs()
		if len(out.SourceIPs) == 0 {
			out.SourceIPs = legacy
		}
	}
	return out
}

// actions reads a listener's or rule's action list in the order AWS
// applies it.
func actions(list importer.JSON) []*importer.Action {
	items := list.List()
	order := func(a importer.JSON) int {
		n, ok := a.Get("Order").Int()
		if !ok {
			return 1 << 30
		}
		return n
	}
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(a, b importer.JSON) int { return order(a) - order(b) })
	var out []*importer.Action
	for _, a := range sorted {
		act := &importer.Action{Type: a.Get("Type").Str(), Loc: a.Loc()}
		switch act.Type {
		case "forward":
			groups := a.Path("ForwardConfig", "TargetGroups").List()
			for _, g := range groups {
				if w, ok := g.Get("Weight").Int(); ok && w == 0 {
					// A weight of 0 sends the group no traffic.
					continue
				}
				act.TargetGroups = append(act.TargetGroups, g.Get("TargetGroupArn").Str())
			}
			if len(groups) == 0 {
				if arn := a.Get("TargetGroupArn").Str(); arn != "" {
					act.TargetGroups = []string{arn}
				}
			}
		case "fixed-response":
			act.Status, _ = a.Path("FixedResponseConfig", "StatusCode").Int()
		case "redirect":
			act.Redirect = redirectText(a.Get("RedirectConfig"))
		}
		out = append(out, act)
	}
	return out
}

// redirectText describes a redirect for a comment, such as
// "to protocol HTTPS, port 443 (HTTP_301)". Fields that keep the request's
// value, such as #{host}, are left out.
func redirectText(cfg importer.JSON) string {
	parts := []string{}
	for _, key := range []string{"Protocol", "Host", "Port", "Path"} {
		if v := cfg.Get(key).Str(); v != "" && !strings.Contains(v, "#{") {
			parts = append(parts, strings.ToLower(key)+" "+v)
		}
	}
	text := "keeping the request's host and path"
	if len(parts) > 0 {
		text = "to " + strings.Join(parts, ", ")
	}
	if code := cfg.Get("StatusCode").Str(); code != "" {
		text += fmt.Sprintf(" (%s)", code)
	}
	return text
}
