package cloudformation

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sgchain/sgchain/importer"
)

// template is a parsed template with the sections evaluation reads.
type template struct {
	file       string
	root       *node
	parameters *node
	mappings   *node
	conditions *node
	resources  *node
	inv        *importer.Inventory

	// conditionValues caches evaluated conditions; a missing entry is not
	// yet evaluated.
	conditionValues map[string]*bool
	warned          map[string]bool
}

// maxEvalDepth bounds nested function evaluation.
const maxEvalDepth = 64

// eval evaluates a node, following intrinsic functions.
func (t *template) eval(n *node) value { return t.evalDepth(n, 0) }

func (t *template) evalDepth(n *node, depth int) value {
	if n == nil || depth > maxEvalDepth {
		return value{}
	}
	switch n.kind {
	case scalarNode:
		if strings.HasPrefix(n.str, "{{resolve:") {
			// A dynamic reference is resolved by CloudFormation at deploy
			// time, from Secrets Manager or Parameter Store.
			return unknown(n.str)
		}
		return str(n.str)
	case listNode:
		v := value{isList: true, known: true}
		for _, e := range n.list {
			v.list = append(v.list, t.evalDepth(e, depth+1))
		}
		return v
	case fnNode:
		return t.function(n, depth+1)
	}
	return value{}
}

func (t *template) function(n *node, depth int) value {
	arg := n.arg
	switch n.fn {
	case "Ref":
		return t.ref(arg.str, n)
	case "Fn::GetAtt":
		parts := arg.elements()
		if len(parts) < 2 {
			return t.unknownAt(n, "Fn::GetAtt without a resource and attribute")
		}
		res, attr := t.evalDepth(parts[0], depth).str, t.evalDepth(parts[1], depth).str
		return t.getAtt(res, attr)
	case "Fn::Sub":
		return t.sub(arg, depth)
	case "Fn::Join":
		parts := arg.elements()
		if len(parts) != 2 {
			return t.unknownAt(n, "Fn::Join needs a delimiter and a list")
		}
		delim := t.evalDepth(parts[0], depth)
		list := t.evalDepth(parts[1], depth)
		var out []string
		for _, e := range list.items() {
			if !e.known || e.isList {
				return unknown("Fn::Join:" + e.text())
			}
			out = append(out, e.str)
		}
		return str(strings.Join(out, delim.str))
	case "Fn::Select":
		parts := arg.elements()
		if len(parts) != 2 {
			return t.unknownAt(n, "Fn::Select needs an index and a list")
		}
		i, ok := atoi(t.evalDepth(parts[0], depth).str)
		list := t.evalDepth(parts[1], depth).items()
		if !ok || i < 0 || i >= len(list) {
			return unknown(fmt.Sprintf("Fn::Select[%d]", i))
		}
		return list[i]
	case "Fn::Split":
		parts := arg.elements()
		if len(parts) != 2 {
			return t.unknownAt(n, "Fn::Split needs a delimiter and a string")
		}
		s := t.evalDepth(parts[1], depth)
		if !s.known {
			return unknown("Fn::Split:" + s.text())
		}
		v := value{isList: true, known: true}
		for _, p := range strings.Split(s.str, t.evalDepth(parts[0], depth).str) {
			v.list = append(v.list, str(p))
		}
		return v
	case "Fn::ImportValue":
		name := t.evalDepth(arg, depth)
		t.warnOnce(n.loc, importer.Unresolved, "Fn::ImportValue "+name.text(), "the template imports %s from another stack; its value is not in the template", name.text())
		return unknown("import:" + name.text())
	case "Fn::If":
		parts := arg.elements()
		if len(parts) != 3 {
			return t.unknownAt(n, "Fn::If needs a condition and two values")
		}
		cond := t.evalDepth(parts[0], depth).str
		if b, ok := t.condition(cond); ok && !b {
			return t.evalDepth(parts[2], depth)
		} else if !ok {
			t.warnOnce(n.loc, importer.Unresolved, "if "+cond, "condition %s cannot be evaluated from the template's defaults, so Fn::If takes its first value", cond)
		}
		return t.evalDepth(parts[1], depth)
	case "Fn::FindInMap":
		parts := arg.elements()
		if len(parts) < 3 {
			return t.unknownAt(n, "Fn::FindInMap needs a map and two keys")
		}
		m := t.evalDepth(parts[0], depth).str
		k1, k2 := t.evalDepth(parts[1], depth), t.evalDepth(parts[2], depth)
		if v := t.mappings.path(m, k1.str, k2.str); v != nil && k1.known && k2.known {
			return t.evalDepth(v, depth)
		}
		return unknown(fmt.Sprintf("Fn::FindInMap:%s/%s/%s", m, k1.text(), k2.text()))
	case "Fn::Base64":
		return t.evalDepth(arg, depth)
	case "Fn::Cidr":
		return t.cidr(arg, depth)
	case "Fn::GetAZs":
		return unknown("Fn::GetAZs")
	case "Condition":
		b, ok := t.condition(arg.str)
		if !ok {
			return unknown("condition " + arg.str)
		}
		return str(strconv.FormatBool(b))
	}
	return t.unknownAt(n, "function "+n.fn+" is not evaluated")
}

func (t *template) unknownAt(n *node, subject string) value {
	t.warnOnce(n.loc, importer.NotUnderstood, subject, "%s; the value is taken as unknown", subject)
	return unknown(subject)
}

func (t *template) warnOnce(loc importer.Location, kind importer.WarningKind, key, format string, args ...any) {
	if t.warned[key] {
		return
	}
	t.warned[key] = true
	t.inv.Warnings.Add(loc, kind, format, args...)
}

// pseudoParameters are AWS pseudo parameters, whose values depend on where
// the stack is deployed.
var pseudoParameters = []string{"AWS::AccountId", "AWS::Region", "AWS::StackName", "AWS::StackId", "AWS::Partition", "AWS::URLSuffix", "AWS::NotificationARNs"}

// ref evaluates Ref name: a parameter's default, a resource reference, or
// an unknown pseudo parameter.
func (t *template) ref(name string, n *node) value {
	if name == "AWS::NoValue" {
		return value{}
	}
	if slices.Contains(pseudoParameters, name) {
		return unknown(name)
	}
	if p := t.parameters.get(name); p != nil {
		def := p.get("Default")
		if def == nil {
			return unknown("parameter " + name)
		}
		v := t.eval(def)
		typ := t.eval(p.get("Type")).str
		if strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
			list := value{isList: true, known: true}
			for _, s := range strings.Split(v.str, ",") {
				list.list = append(list.list, str(strings.TrimSpace(s)))
			}
			return list
		}
		return v
	}
	if t.resources.get(name) != nil {
		return value{res: name}
	}
	t.warnOnce(n.loc, importer.NotUnderstood, "ref "+name, "Ref %s names no parameter or resource of the template", name)
	return unknown("Ref:" + name)
}

// getAtt evaluates Fn::GetAtt. Attributes whose value the template states,
// such as a VPC's CidrBlock, evaluate to it; the others stay references to
// the resource.
func (t *template) getAtt(res, attr string) value {
	r := t.resources.get(res)
	if r == nil {
		return unknown("GetAtt:" + res + "." + attr)
	}
	if attr == "CidrBlock" && t.eval(r.get("Type")).str == "AWS::EC2::VPC" {
		if v := t.eval(r.path("Properties", "CidrBlock")); v.known {
			return v
		}
	}
	if attr == "Ipv6CidrBlocks" && t.eval(r.get("Type")).str == "AWS::EC2::VPC" {
		if v := t.vpcIPv6Blocks(res); v.known {
			return v
		}
	}
	return value{res: res, attr: attr}
}

// vpcIPv6Blocks evaluates a VPC's Ipv6CidrBlocks attribute: the IPv6 blocks
// that AWS::EC2::VPCCidrBlock resources of the template give the VPC. It is
// known only when every such resource states its block, because an
// Amazon-provided block is allocated at deployment.
func (t *template) vpcIPv6Blocks(vpc string) value {
	out := value{isList: true, known: true}
	for _, id := range t.resources.keys {
		r := t.resources.get(id)
		if t.eval(r.get("Type")).str != "AWS::EC2::VPCCidrBlock" || t.eval(r.path("Properties", "VpcId")).res != vpc {
			continue
		}
		props := r.get("Properties")
		if props.get("Ipv6CidrBlock") == nil && props.get("AmazonProvidedIpv6CidrBlock") == nil && props.get("Ipv6Pool") == nil && props.get("Ipv6IpamPoolId") == nil {
			// An IPv4 block.
			continue
		}
		block := t.eval(props.get("Ipv6CidrBlock"))
		if !block.known || block.isList {
			return value{symbol: "GetAtt:" + vpc + ".Ipv6CidrBlocks"}
		}
		out.list = append(out.list, block)
	}
	if len(out.list) == 0 {
		return value{symbol: "GetAtt:" + vpc + ".Ipv6CidrBlocks"}
	}
	return out
}

// subVariable matches ${Name} and ${Resource.Attribute} in Fn::Sub, but not
// the literal ${!Name}.
var subVariable = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

// sub evaluates Fn::Sub. The result is known when every variable is.
func (t *template) sub(arg *node, depth int) value {
	tmpl := arg
	vars := map[string]value{}
	if arg.kind == listNode && len(arg.list) == 2 {
		tmpl = arg.list[0]
		for k, v := range arg.list[1].items {
			vars[k] = t.evalDepth(v, depth)
		}
	}
	text := t.evalDepth(tmpl, depth).str
	known := true
	out := subVariable.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		v, ok := vars[name]
		if !ok {
			if res, attr, dotted := strings.Cut(name, "."); dotted {
				v = t.getAtt(res, attr)
			} else {
				v = t.ref(name, arg)
			}
		}
		if !v.known || v.isList {
			known = false
			return m
		}
		return v.str
	})
	out = strings.ReplaceAll(out, "${!", "${")
	if !known || strings.HasPrefix(out, "{{resolve:") {
		return unknown("Fn::Sub:" + out)
	}
	return str(out)
}

// cidr evaluates Fn::Cidr [block, count, bits]: count consecutive blocks
// with bits host bits each, from the start of block.
func (t *template) cidr(arg *node, depth int) value {
	parts := arg.elements()
	if len(parts) != 3 {
		return unknown("Fn::Cidr")
	}
	block, err := netip.ParsePrefix(t.evalDepth(parts[0], depth).str)
	count, okCount := atoi(t.evalDepth(parts[1], depth).str)
	bits, okBits := atoi(t.evalDepth(parts[2], depth).str)
	size := block.Addr().BitLen() - bits
	if err != nil || !okCount || !okBits || count < 1 || count > 256 || size < block.Bits() || bits < 0 {
		return unknown("Fn::Cidr")
	}
	out := value{isList: true, known: true}
	a := block.Masked().Addr()
	for range count {
		p := netip.PrefixFrom(a, size)
		if !block.Contains(a) {
			break
		}
		out.list = append(out.list, str(p.String()))
		a = nextBlock(p)
	}
	return out
}

// nextBlock returns the first address after the block p.
func nextBlock(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	bit := len(b)*8 - p.Bits()
	add := 1 << (bit % 8)
	for i := len(b) - 1 - bit/8; i >= 0; i-- {
		sum := int(b[i]) + add
		b[i] = byte(sum)
		if sum < 256 {
			break
		}
		add = 1
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// condition evaluates a named condition from parameter defaults.
func (t *template) condition(name string) (bool, bool) {
	if v, ok := t.conditionValues[name]; ok {
		if v == nil {
			return false, false
		}
		return *v, true
	}
	t.conditionValues[name] = nil // guards against cycles
	b, ok := t.evalCondition(t.conditions.get(name), 0)
	if ok {
		t.conditionValues[name] = &b
	}
	return b, ok
}

func (t *template) evalCondition(n *node, depth int) (bool, bool) {
	if n == nil || n.kind != fnNode || depth > maxEvalDepth {
		return false, false
	}
	args := n.arg.elements()
	switch n.fn {
	case "Fn::Equals":
		if len(args) != 2 {
			return false, false
		}
		a, b := t.eval(args[0]), t.eval(args[1])
		if !a.known || !b.known {
			return false, false
		}
		return a.str == b.str, true
	case "Fn::Not":
		if len(args) != 1 {
			return false, false
		}
		b, ok := t.evalCondition(args[0], depth+1)
		return !b, ok
	case "Fn::And", "Fn::Or":
		and := n.fn == "Fn::And"
		result := and
		for _, a := range args {
			b, ok := t.evalCondition(a, depth+1)
			if !ok {
				return false, false
			}
			if and {
				result = result && b
			} else {
				result = result || b
			}
		}
		return result, true
	case "Condition":
		return t.condition(n.arg.str)
	}
	return false, false
}
