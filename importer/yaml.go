package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sgchain/sgchain/model"
)

// YAML returns the scenario as a YAML document in the layout of the files in
// scenarios/: block style for sections and tiers, flow style for rules and
// short mappings, and comments above the objects they describe.
func (s *Scenario) YAML() []byte {
	w := &yamlWriter{}
	for _, line := range s.Header {
		w.comment(0, line)
	}
	if len(s.Warnings) > 0 {
		if len(s.Header) > 0 {
			w.comment(0, "")
		}
		w.comment(0, fmt.Sprintf("Warnings (%d): input the scenario does not carry over faithfully.", len(s.Warnings)))
		for _, warning := range s.Warnings {
			for i, line := range wrap(warning.String(), commentWidth) {
				if i == 0 {
					w.comment(0, "  - "+line)
				} else {
					w.comment(0, "    "+line)
				}
			}
		}
	}
	w.blank()

	w.line(0, "name: "+scalar(s.Name))
	if s.Description != "" {
		w.line(0, "description: "+quote(s.Description))
	}

	w.blank()
	w.line(0, "vpcs:")
	for i, v := range s.VPCs {
		if i > 0 {
			w.blank()
		}
		w.writeVPC(v)
	}

	if len(s.Peerings) > 0 {
		w.blank()
		w.line(0, "peerings:")
		for _, p := range s.Peerings {
			w.line(1, scalar(p.Name)+": {vpcs: "+flowList(p.VPCs[:])+"}"+trailing(p.Comment))
		}
	}

	if len(s.TransitGateways) > 0 {
		w.blank()
		w.line(0, "transit_gateways:")
		for _, g := range s.TransitGateways {
			w.writeTransitGateway(g)
		}
	}

	if len(s.PrefixLists) > 0 {
		w.blank()
		w.line(0, "prefix_lists:")
		for _, pl := range s.PrefixLists {
			w.writePrefixList(pl)
		}
	}

	if len(s.NetworkACLs) > 0 {
		w.blank()
		w.line(0, "network_acls:")
		for i, acl := range s.NetworkACLs {
			if i > 0 {
				w.blank()
			}
			w.writeNetworkACL(acl)
		}
	}

	if len(s.Groups) > 0 {
		w.blank()
		w.line(0, "security_groups:")
		for i, g := range s.Groups {
			if i > 0 {
				w.blank()
			}
			w.writeGroup(g)
		}
	}

	w.blank()
	w.line(0, "tiers:")
	for i, t := range s.Tiers {
		if i > 0 {
			w.blank()
		}
		w.writeTier(t)
	}

	w.blank()
	for _, c := range s.ChainComment {
		w.comment(0, c)
	}
	w.line(0, "chain:")
	for _, stage := range s.Chain {
		w.line(1, "- "+flowList(stage))
	}

	w.blank()
	w.line(0, "attackers:")
	for _, a := range s.Attackers {
		w.writeAttacker(a)
	}
	return []byte(w.b.String())
}

type yamlWriter struct {
	b strings.Builder
}

func (w *yamlWriter) line(indent int, text string) {
	w.b.WriteString(strings.Repeat("  ", indent))
	w.b.WriteString(text)
	w.b.WriteByte('\n')
}

func (w *yamlWriter) blank() { w.b.WriteByte('\n') }

// comment writes text as comment lines at indent, one per line of text.
func (w *yamlWriter) comment(indent int, text string) {
	for _, l := range strings.Split(text, "\n") {
		if l == "" {
			w.line(indent, "#")
			continue
		}
		w.line(indent, "# "+l)
	}
}

func (w *yamlWriter) comments(indent int, lines []string) {
	for _, l := range lines {
		w.comment(indent, l)
	}
}

// commentWidth is the width warning comments are wrapped at.
const commentWidth = 96

// wrap splits text into lines of at most width bytes at spaces. A word
// longer than width gets a line of its own.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// trailing returns text as an end-of-line comment, or "".
func trailing(text string) string {
	if text == "" {
		return ""
	}
	return "   # " + strings.ReplaceAll(text, "\n", " ")
}

func (w *yamlWriter) writeVPC(v *VPCOut) {
	w.comments(1, v.Comment)
	w.line(1, scalar(v.Name)+":")
	w.line(2, "cidr: "+scalar(v.CIDR))
	if v.IPv6CIDR != "" {
		w.line(2, "ipv6_cidr: "+quote(v.IPv6CIDR))
	}
	if v.Region != "" {
		w.line(2, "region: "+scalar(v.Region))
	}
	if len(v.NATGateways) > 0 {
		w.line(2, "nat_gateways:")
		for _, n := range v.NATGateways {
			fields := []string{"subnet: " + scalar(n.Subnet)}
			if n.Private {
				fields = append(fields, "connectivity: private")
			}
			if n.ElasticIP != "" {
				fields = append(fields, "elastic_ip: "+scalar(n.ElasticIP))
			}
			w.line(3, scalar(n.Name)+": {"+strings.Join(fields, ", ")+"}"+trailing(n.Comment))
		}
	}
	if len(v.GatewayEndpoints) > 0 {
		w.line(2, "gateway_endpoints:")
		for _, e := range v.GatewayEndpoints {
			w.line(3, scalar(e.Name)+": {prefix_list: "+scalar(e.PrefixList)+", route_tables: "+flowList(e.RouteTables)+"}"+trailing(e.Comment))
		}
	}
	if len(v.RouteTables) > 0 {
		w.line(2, "route_tables:")
		for _, rt := range v.RouteTables {
			w.comments(3, rt.Comment)
			if len(rt.Routes) == 0 {
				w.line(3, scalar(rt.Name)+": {}")
				continue
			}
			w.line(3, scalar(rt.Name)+":")
			w.line(4, "routes:")
			for _, r := range rt.Routes {
				w.line(5, "- "+routeFlow(r)+trailing(r.Comment))
			}
		}
	}
	if v.MainRouteTable != "" {
		w.line(2, "main_route_table: "+scalar(v.MainRouteTable))
	}
	w.line(2, "subnets:")
	for _, s := range v.Subnets {
		fields := []string{"cidr: " + scalar(s.CIDR)}
		if s.IPv6CIDR != "" {
			fields = append(fields, "ipv6_cidr: "+quote(s.IPv6CIDR))
		}
		if s.Public {
			fields = append(fields, "public: true")
		}
		if s.RouteTable != "" {
			fields = append(fields, "route_table: "+scalar(s.RouteTable))
		}
		if s.NetworkACL != "" {
			fields = append(fields, "network_acl: "+scalar(s.NetworkACL))
		}
		w.line(3, scalar(s.Name)+": {"+strings.Join(fields, ", ")+"}"+trailing(s.Comment))
	}
}

func routeFlow(r *RouteOut) string {
	dest := "destination: " + cidrScalar(r.Destination)
	if r.PrefixList != "" {
		dest = "destination_prefix_list: " + scalar(r.PrefixList)
	}
	target := r.TargetKey + ": " + r.Target
	if r.Target != "true" {
		target = r.TargetKey + ": " + scalar(r.Target)
	}
	return "{" + dest + ", " + target + "}"
}

func (w *yamlWriter) writeTransitGateway(g *TransitGatewayOut) {
	w.comments(1, g.Comment)
	w.line(1, scalar(g.Name)+":")
	if g.SecurityGroupReferencing {
		w.line(2, "security_group_referencing: true")
	}
	w.line(2, "attachments:")
	for _, a := range g.Attachments {
		settings := "{}"
		if a.NoReferencing {
			settings = "{security_group_referencing: false}"
		}
		w.line(3, scalar(a.VPC)+": "+settings+trailing(a.Comment))
	}
}

func (w *yamlWriter) writePrefixList(pl *PrefixListOut) {
	w.comments(1, pl.Comment)
	w.line(1, scalar(pl.Name)+":")
	if pl.AWSManaged != "" {
		w.line(2, "aws_managed: "+scalar(pl.AWSManaged))
	} else {
		w.line(2, "max_entries: "+strconv.Itoa(pl.MaxEntries))
		w.line(2, "family: "+pl.Family)
	}
	if pl.Entries != nil {
		w.line(2, "entries: "+flowList(pl.Entries))
	}
}

func (w *yamlWriter) writeNetworkACL(acl *NetworkACLOut) {
	w.comments(1, acl.Comment)
	w.line(1, scalar(acl.Name)+":")
	if acl.VPC != "" {
		w.line(2, "vpc: "+scalar(acl.VPC))
	}
	for _, dir := range []struct {
		key   string
		rules []*NACLRuleOut
	}{{"ingress", acl.Ingress}, {"egress", acl.Egress}} {
		if len(dir.rules) == 0 {
			w.line(2, dir.key+": []")
			continue
		}
		w.line(2, dir.key+":")
		for _, r := range dir.rules {
			w.line(3, "- "+naclRuleFlow(r))
		}
	}
}

func naclRuleFlow(r *NACLRuleOut) string {
	fields := []string{"rule: " + strconv.Itoa(r.Number), "action: " + r.Action, "protocol: " + protocolScalar(r.Protocol)}
	if r.Ports != "" {
		fields = append(fields, "ports: "+portsScalar(r.Ports))
	}
	if r.ICMPType != "" {
		fields = append(fields, "icmp_type: "+r.ICMPType)
	}
	if r.ICMPCode != "" {
		fields = append(fields, "icmp_code: "+r.ICMPCode)
	}
	fields = append(fields, "cidr: "+cidrScalar(r.CIDR))
	return "{" + strings.Join(fields, ", ") + "}"
}

// protocolScalar writes a protocol name plain, and a protocol number as the
// integer the format documents.
func protocolScalar(p string) string {
	if _, err := strconv.Atoi(p); err == nil {
		return p
	}
	return scalar(p)
}

// cidrScalar quotes an IPv6 CIDR, whose colons a flow mapping would
// otherwise misread.
func cidrScalar(cidr string) string {
	if strings.Contains(cidr, ":") {
		return quote(cidr)
	}
	return scalar(cidr)
}

func (w *yamlWriter) writeGroup(g *GroupOut) {
	w.comments(1, g.Comment)
	w.line(1, scalar(g.Name)+":")
	if g.VPC != "" {
		w.line(2, "vpc: "+scalar(g.VPC))
	}
	if g.Description != "" {
		w.line(2, "description: "+quote(g.Description))
	}
	if len(g.Ingress) == 0 {
		w.line(2, "ingress: []")
	} else {
		w.line(2, "ingress:")
		for _, r := range g.Ingress {
			w.line(3, "- "+ruleFlow(r, "from")+trailing(r.Comment))
		}
	}
	if g.EgressWord != "" {
		w.line(2, "egress: "+g.EgressWord)
		return
	}
	w.line(2, "egress:")
	for _, r := range g.Egress {
		w.line(3, "- "+ruleFlow(r, "to")+trailing(r.Comment))
	}
}

func ruleFlow(r *RuleOut, peerField string) string {
	fields := []string{"protocol: " + protocolScalar(r.Protocol)}
	if r.Ports != "" {
		fields = append(fields, "ports: "+portsScalar(r.Ports))
	}
	if r.ICMPType != "" {
		fields = append(fields, "icmp_type: "+r.ICMPType)
	}
	if r.ICMPCode != "" {
		fields = append(fields, "icmp_code: "+r.ICMPCode)
	}
	peer := r.PeerKey + ": " + scalar(r.Peer)
	if r.PeerKey == "self" {
		peer = "self: true"
	}
	if r.PeerKey == "cidr" {
		peer = "cidr: " + cidrScalar(r.Peer)
	}
	fields = append(fields, peerField+": {"+peer+"}")
	if r.Description != "" {
		fields = append(fields, "description: "+quote(r.Description))
	}
	return "{" + strings.Join(fields, ", ") + "}"
}

// portsScalar writes a port, quoting ranges as the format recommends.
func portsScalar(ports string) string {
	if strings.Contains(ports, "-") {
		return quote(ports)
	}
	return ports
}

func (w *yamlWriter) writeTier(t *TierOut) {
	w.comments(1, t.Comment)
	w.line(1, scalar(t.Name)+":")
	w.line(2, "kind: "+string(t.Kind))
	switch {
	case t.Kind == model.KindCloudFront:
		w.writeCloudFront(t)
		return
	case t.Kind.IsLoadBalancer():
		w.line(2, "scheme: "+t.Scheme)
		if t.IPAddressType != "" {
			w.line(2, "ip_address_type: "+t.IPAddressType)
		}
	case t.Kind == model.KindInterfaceEndpoint && t.Service != "":
		w.line(2, "service: "+scalar(t.Service))
	}
	w.line(2, "subnets: "+flowList(t.Subnets))
	if len(t.Groups) > 0 || t.GroupsEmpty {
		w.line(2, "security_groups: "+flowList(t.Groups))
	}
	if t.PublicIP && !t.Kind.IsLoadBalancer() {
		w.line(2, "public_ip: true")
	}
	if t.IPv6 {
		w.line(2, "ipv6: true")
	}
	if t.PrivateIP != "" {
		w.line(2, "private_ip: "+scalar(t.PrivateIP))
	}
	if t.Kind.IsLoadBalancer() {
		w.line(2, "listeners:")
		for _, l := range t.Listeners {
			w.writeListener(t, l)
		}
	}
	if len(t.ConnectsTo) > 0 {
		w.line(2, "connects_to:")
		for _, c := range t.ConnectsTo {
			fields := []string{"tier: " + scalar(c.Tier)}
			if c.Protocol != "" && c.Protocol != "tcp" {
				fields = append(fields, "protocol: "+c.Protocol)
			}
			fields = append(fields, "port: "+strconv.Itoa(c.Port))
			w.line(3, "- {"+strings.Join(fields, ", ")+"}"+trailing(c.Comment))
		}
	}
}

func (w *yamlWriter) writeListener(t *TierOut, l *ListenerOut) {
	w.comments(3, l.Comment)
	w.line(3, "- port: "+strconv.Itoa(l.Port))
	w.line(4, "protocol: "+strings.ToLower(l.Protocol))
	if t.Kind == model.KindNLB {
		w.line(4, "forward: "+targetFlow(l.Forward)+trailing(l.Forward.Comment))
		return
	}
	if len(l.Rules) > 0 {
		w.line(4, "rules:")
		for _, r := range l.Rules {
			w.comments(5, r.Comment)
			w.line(5, "- priority: "+strconv.Itoa(r.Priority))
			w.line(6, "conditions:")
			for _, c := range r.Conditions {
				w.line(7, "- "+conditionFlow(c))
			}
			w.writeAction(6, "action", r.Action)
		}
	}
	w.writeAction(4, "default_action", l.Default)
}

func conditionFlow(c *ConditionOut) string {
	if c.HeaderName != "" {
		return "{http_header: {name: " + scalar(c.HeaderName) + ", values: " + quotedList(c.HeaderValues) + "}}"
	}
	return "{source_ip: " + flowList(c.SourceIPs) + "}"
}

func (w *yamlWriter) writeAction(indent int, key string, a *ActionOut) {
	w.comments(indent, a.Comment)
	switch {
	case len(a.Forward) == 0:
		w.line(indent, key+": {fixed_response: "+strconv.Itoa(a.FixedStatus)+"}")
	case len(a.Forward) == 1:
		w.line(indent, key+": {forward: "+targetFlow(a.Forward[0])+"}"+trailing(a.Forward[0].Comment))
	default:
		w.line(indent, key+":")
		w.line(indent+1, "forward:")
		for _, tg := range a.Forward {
			w.line(indent+2, "- "+targetFlow(tg)+trailing(tg.Comment))
		}
	}
}

func targetFlow(tg *TargetOut) string {
	fields := []string{"tier: " + scalar(tg.Tier), "port: " + strconv.Itoa(tg.Port)}
	if tg.TargetType != "" {
		fields = append(fields, "target_type: "+tg.TargetType)
	}
	if tg.PreserveClientIP != nil {
		fields = append(fields, "preserve_client_ip: "+strconv.FormatBool(*tg.PreserveClientIP))
	}
	if tg.HealthCheckPort != 0 && tg.HealthCheckPort != tg.Port {
		fields = append(fields, "health_check_port: "+strconv.Itoa(tg.HealthCheckPort))
	}
	return "{" + strings.Join(fields, ", ") + "}"
}

func (w *yamlWriter) writeCloudFront(t *TierOut) {
	if waf := t.WAF; waf != nil {
		w.comments(2, waf.Comment)
		w.line(2, "waf:")
		w.line(3, "name: "+scalar(waf.Name))
		w.line(3, "default_action: "+waf.DefaultAction)
		if len(waf.ManagedGroups) > 0 {
			w.line(3, "managed_rule_groups: "+flowList(waf.ManagedGroups))
		}
		if len(waf.Rules) > 0 {
			w.line(3, "rules:")
			for _, r := range waf.Rules {
				w.line(4, fmt.Sprintf("- {name: %s, priority: %d, action: %s, header: {name: %s, values: %s}}",
					quote(r.Name), r.Priority, r.Action, scalar(r.HeaderName), quotedList(r.HeaderValues)))
			}
		}
	}
	w.line(2, "origins:")
	for _, o := range t.Origins {
		w.comments(3, o.Comment)
		w.line(3, "- name: "+quote(o.Name))
		w.line(4, "tier: "+scalar(o.Tier))
		w.line(4, "protocol_policy: "+o.ProtocolPolicy)
		if o.HTTPPort != 0 && o.HTTPPort != 80 {
			w.line(4, "http_port: "+strconv.Itoa(o.HTTPPort))
		}
		if o.HTTPSPort != 0 && o.HTTPSPort != 443 {
			w.line(4, "https_port: "+strconv.Itoa(o.HTTPSPort))
		}
		if len(o.Headers) > 0 {
			w.line(4, "custom_headers:")
			for _, h := range o.Headers {
				w.line(5, fmt.Sprintf("- {name: %s, value: %s, secret: %t}", scalar(h.Name), quote(h.Value), h.Secret))
			}
		}
	}
}

func (w *yamlWriter) writeAttacker(a *AttackerOut) {
	w.comments(1, a.Comment)
	w.line(1, scalar(a.Name)+":")
	w.line(2, "kind: "+string(a.Kind))
	if a.Tier != "" {
		w.line(2, "tier: "+scalar(a.Tier))
	}
	if len(a.CIDRs) > 0 {
		w.line(2, "cidrs: "+flowList(a.CIDRs))
	}
}

// plainSafe matches strings that YAML reads back as the same string when
// written without quotes: names that start with a letter, and IPv4
// addresses and CIDRs, which have too many dots to read as numbers.
var plainSafe = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9._-]*|[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(/[0-9]+)?)$`)

// yamlWords are plain scalars that YAML 1.1 or 1.2 reads as booleans or
// null.
var yamlWords = map[string]bool{
	"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true,
	"y": true, "n": true, "null": true, "~": true,
}

// scalar writes s plain when that reads back as the same string, and
// double-quoted otherwise.
func scalar(s string) string {
	if plainSafe.MatchString(s) && !yamlWords[strings.ToLower(s)] {
		return s
	}
	return quote(s)
}

// quote writes s as a YAML double-quoted scalar. Go's escapes (\n, \t,
// \xXX, \uXXXX, ...) are all valid YAML escapes.
func quote(s string) string { return strconv.Quote(s) }

func flowList(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		if strings.Contains(s, ":") {
			out[i] = quote(s)
		} else {
			out[i] = scalar(s)
		}
	}
	return "[" + strings.Join(out, ", ") + "]"
}

func quotedList(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = quote(s)
	}
	return "[" + strings.Join(out, ", ") + "]"
}
