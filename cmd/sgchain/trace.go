package main

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/spf13/pflag"

	"github.com/sgchain/sgchain/model"
	"github.com/sgchain/sgchain/sim"
)

const traceUsage = `Usage: sgchain trace FILE --from ATTACKER_OR_TIER --to TIER [flags]

Follow one packet from an attacker (or from a compute or data-store tier, as
if its code were compromised) to a tier, and narrate it hop by hop: at each
hop the filters evaluated (sender egress, receiver ingress, web ACL, listener
rule), the rule that matched with its file:line, the address and security
groups the packet carries on, and how the reply returns. A dropped packet
ends with the reason, using AWS Reachability Analyzer's explanation codes
where one fits, and the smallest change that would let it through.

For each hop whose packet the network filters admit, the trace says whether
the security groups on each end track the connection (tracked, untracked,
or automatically tracked by a component such as a Network Load Balancer),
why, and the idle timeout after which a tracked connection is forgotten.

Fields left out are chosen by sgchain: it tries the representative of every
packet class that agrees with the given fields, and narrates the first that
arrives, or the drop closest to the target.

A header value of @secret stands for the scenario's secret value of that
header, which sgchain never prints.

Exit status: 0 when the packet arrives, 1 when it is dropped, 2 for invalid
input or usage.

Flags:
`

// headerFlag collects repeated --header NAME=VALUE flags.
type headerFlag struct{ values []string }

func (h *headerFlag) String() string { return strings.Join(h.values, ",") }
func (h *headerFlag) Type() string   { return "NAME=VALUE" }

func (h *headerFlag) Set(s string) error {
	name, _, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("invalid header %q: expected NAME=VALUE", s)
	}
	h.values = append(h.values, s)
	return nil
}

func runTrace(args []string, env *environment) int {
	fs := pflag.NewFlagSet("trace", pflag.ContinueOnError)
	format := &formatValue{value: "text", allowed: []string{"text", "json"}}
	fs.Var(format, "format", "output format: text or json")
	from := fs.String("from", "", "attacker, or compute or data-store tier, that sends the packet (required)")
	to := fs.String("to", "", "tier the packet is meant to reach (required)")
	proto := fs.String("protocol", "", "protocol: tcp, udp, icmp, icmpv6 or a number 0-255 (default: every protocol in turn)")
	port := fs.Int("port", -1, "destination port, or ICMP type*256+code (default: every port class in turn)")
	src := fs.String("src", "", "source address (default: the representative of each source class)")
	via := fs.String("via", "", "only paths through this node (a tier or ATTACKER/own-distribution), or \"direct\" for paths without one")
	address := fs.String("address", "", "only first hops to this kind of address of the receiver: private, public or ipv6")
	headers := &headerFlag{}
	fs.Var(headers, "header", "HTTP header NAME=VALUE the packet carries; repeat for several; VALUE @secret means the scenario's secret value")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), traceUsage)
		fs.PrintDefaults()
	}
	if ok, status := parseFlags(fs, args, env); !ok {
		return status
	}
	if fs.NArg() != 1 || *from == "" || *to == "" {
		fmt.Fprintln(env.stderr, "sgchain trace: expected one scenario FILE, --from and --to; usage: sgchain trace FILE --from ATTACKER_OR_TIER --to TIER")
		return exitInvalid
	}

	env.jsonDiagnostics = format.value == "json"
	scenarios, ok := loadAll(fs.Args(), env)
	if !ok {
		return exitInvalid
	}
	s := scenarios[0]

	req := sim.Request{From: *from, To: *to, Via: *via, Address: *address}
	switch *address {
	case "", "private", "public", "ipv6":
	default:
		fmt.Fprintf(env.stderr, "sgchain trace: invalid --address %q: expected private, public or ipv6\n", *address)
		return exitInvalid
	}
	if *proto != "" {
		p, err := parseProtocol(*proto)
		if err != nil {
			fmt.Fprintf(env.stderr, "sgchain trace: %v\n", err)
			return exitInvalid
		}
		req.Protocol, req.HasProtocol = p, true
	}
	if *port >= 0 {
		if *port > 65535 {
			fmt.Fprintf(env.stderr, "sgchain trace: invalid port %d: expected 0-65535\n", *port)
			return exitInvalid
		}
		req.Port, req.HasPort = *port, true
	}
	if *src != "" {
		a, err := netip.ParseAddr(*src)
		if err != nil {
			fmt.Fprintf(env.stderr, "sgchain trace: invalid --src %q: expected an IPv4 or IPv6 address\n", *src)
			return exitInvalid
		}
		req.Src = a
	}
	if len(headers.values) > 0 {
		hs, err := requestHeaders(s, headers.values)
		if err != nil {
			fmt.Fprintf(env.stderr, "sgchain trace: %v\n", err)
			return exitInvalid
		}
		req.Headers = hs
	}

	res, err := sim.Trace(s, req)
	if err != nil {
		fmt.Fprintf(env.stderr, "sgchain trace: %v\n", err)
		return exitInvalid
	}
	switch format.value {
	case "json":
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(traceJSON(res)); err != nil {
			fmt.Fprintf(env.stderr, "sgchain trace: %v\n", err)
			return exitInvalid
		}
	default:
		tw := &textWriter{w: env.stdout, color: useColor(env.stdout, env.getenv)}
		tw.trace(res)
	}
	if !res.Reached {
		return exitFindings
	}
	return exitOK
}

// parseProtocol reads a protocol name or number.
func parseProtocol(s string) (model.Protocol, error) {
	switch strings.ToLower(s) {
	case "tcp":
		return model.TCP, nil
	case "udp":
		return model.UDP, nil
	case "icmp":
		return model.ICMP, nil
	case "icmpv6":
		return model.ICMPv6, nil
	}
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n < 0 || n > 255 || fmt.Sprint(n) != s {
		return 0, fmt.Errorf("invalid protocol %q: expected tcp, udp, icmp, icmpv6 or a number 0-255", s)
	}
	return model.Protocol(n), nil
}

// requestHeaders turns NAME=VALUE flags into headers, resolving @secret to
// the scenario's secret value of that header.
func requestHeaders(s *model.Scenario, values []string) ([]sim.Header, error) {
	var out []sim.Header
	for _, v := range values {
		name, value, _ := strings.Cut(v, "=")
		h := sim.Header{Name: name, Value: value}
		if value == model.SecretPlaceholder {
			secret, ok := s.SecretValue(name)
			if !ok {
				return nil, fmt.Errorf("header %s has no secret value in the scenario: @secret needs an origin custom header of that name with secret: true", name)
			}
			h.Value, h.Secret = secret, true
		} else if secret, ok := s.SecretValue(name); ok && strings.EqualFold(secret, value) {
			h.Secret = true
		}
		out = append(out, h)
	}
	return out, nil
}

type jsonTrace struct {
	From    string         `json:"from"`
	To      string         `json:"to"`
	Reached bool           `json:"reached"`
	Path    []string       `json:"path"`
	Packet  *jsonPacket    `json:"packet"`
	Hops    []jsonTraceHop `json:"hops"`
	Reason  string         `json:"reason,omitempty"`
	Fix     string         `json:"fix,omitempty"`
	Others  [][]string     `json:"other_paths,omitempty"`
	Notes   []string       `json:"notes,omitempty"`
}

func traceJSON(r *sim.TraceResult) jsonTrace {
	out := jsonTrace{From: r.From, To: r.To, Reached: r.Reached, Path: r.Path, Packet: packetJSON(r.Packet),
		Reason: r.Reason, Fix: r.Fix, Others: r.Others, Notes: r.Notes, Hops: []jsonTraceHop{}}
	for _, h := range r.Hops {
		out.Hops = append(out.Hops, jsonTraceHop{jsonHop: hopJSON(h), Tracking: trackingJSON(h.Tracking)})
	}
	return out
}

// jsonTraceHop is a hop of a trace: the hop as check reports it, and its
// connection tracking when the network filters admitted its packet.
type jsonTraceHop struct {
	jsonHop
	Tracking *jsonTracking `json:"tracking,omitempty"`
}

func (t *textWriter) trace(r *sim.TraceResult) {
	verdict := t.paint(ansiGreen, "reaches")
	if !r.Reached {
		verdict = t.paint(ansiRed, "does not reach")
	}
	t.printf("%s %s %s\n", r.From, verdict, r.To)
	t.printf("path: %s\n", strings.Join(r.Path, " > "))
	if r.Packet != nil {
		t.printf("packet: %s\n", r.Packet)
	}
	for _, n := range r.Notes {
		t.printf("note: %s\n", n)
	}
	for i, h := range r.Hops {
		t.hop(i+1, h)
		if h.Tracking != nil {
			for _, line := range trackingLines(h.Tracking) {
				t.printf("      %s\n", line)
			}
		}
		switch {
		case h.Delivered && i+1 < len(r.Hops):
			next := r.Hops[i+1].Packet
			t.printf("      carries on as: source %s, %s\n", next.Src, identityString(&next))
		case h.Delivered:
			t.printf("      arrives as: source %s, %s\n", h.Packet.Src, identityString(&h.Packet))
		}
	}
	if !r.Reached {
		t.printf("\nreason: %s\n", r.Reason)
		if r.Fix != "" {
			t.printf("smallest change that lets it through: %s\n", r.Fix)
		}
	}
	for _, o := range r.Others {
		t.printf("also reaches %s along: %s\n", r.To, strings.Join(o, " > "))
	}
}

func identityString(p *sim.Packet) string {
	if len(p.Identity) == 0 {
		return "no security-group identity"
	}
	return "identity of security groups " + strings.Join(p.IdentityNames(), "+")
}
