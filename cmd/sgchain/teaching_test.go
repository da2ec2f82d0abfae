package main

import (
	"cmp"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// teachingReport is the part of the check --format json report that the
// teaching lessons assert on.
type teachingReport struct {
	Verdict string `json:"verdict"`
	Stages  []struct {
		Attacker string `json:"attacker"`
		Stage    int    `json:"stage"`
		Verdict  string `json:"verdict"`
	} `json:"stages"`
	Hops []struct {
		From    string `json:"from"`
		To      string `json:"to"`
		Verdict string `json:"verdict"`
		Reason  string `json:"reason"`
		Packet  *struct {
			Src      string   `json:"src"`
			Identity []string `json:"security_group_identity"`
		} `json:"packet"`
	} `json:"hops"`
	Findings []struct {
		Kind     string   `json:"kind"`
		Code     string   `json:"code"`
		Tier     string   `json:"tier"`
		Attacker string   `json:"attacker"`
		Stage    int      `json:"stage"`
		Path     []string `json:"path"`
		Rules    []string `json:"rules"`
		Hops     []struct {
			Packet struct {
				Src string `json:"src"`
			} `json:"packet"`
		} `json:"hops"`
	} `json:"findings"`
}

// teachingLesson is the expected check result of one broken/fix pair under
// scenarios/teaching. Stages and hops not listed must hold in both files.
type teachingLesson struct {
	dir string
	// skippable lists the "attacker/stage" pairs that are skippable in broken.yaml.
	skippable []string
	// skipVia names a node that the path of every skip finding passes, or "".
	skipVia string
	// skipPaths lists paths, written "a > b > c", that some skip finding of
	// broken.yaml takes.
	skipPaths []string
	// broken lists the "from->to" intended hops that are broken in broken.yaml.
	broken []string
	// brokenReason is the reason code of the broken hop, or "" for
	// ENI_SG_RULES_MISMATCH.
	brokenReason string
	// brokenIdentity is the security group the broken hop's packet carries, or "".
	brokenIdentity string
	// brokenSrcOutside is a CIDR prefix the broken hop's source must not start with, or "".
	brokenSrcOutside string
	// arrivals lists "a > b > c=address": some finding of broken.yaml takes
	// that path, and the packet of its last hop, as the last tier receives
	// it, comes from that address.
	arrivals []string
	// warnings lists "code:rule,rule" warnings that broken.yaml must produce.
	warnings []string
	// fixSkippable lists the "attacker/stage" pairs that are still skippable
	// in fix.yaml, for a lesson whose fix closes one path and, as the lesson
	// explains, leaves another open. Empty means that fix.yaml holds.
	fixSkippable []string
	// fixSkipVia names a node that the path of every skip finding of
	// fix.yaml passes.
	fixSkipVia string
}

var teachingLessons = []teachingLesson{
	// The ALB admits only the CloudFront origin-facing prefix list and forwards
	// everything. That list is shared by every distribution of every account,
	// so the attacker's own distribution reaches the ALB and the app. The fix
	// adds the secret origin header and a listener that returns a fixed 403
	// without it.
	{
		dir:       "scenarios/teaching/01-cloudfront-prefix-list",
		skippable: []string{"internet/2", "internet/3"},
		skipVia:   "internet/own-distribution",
	},

	// CloudFront sends the secret header to an NLB, which forwards TCP and
	// never reads it, so the attacker's own distribution reaches the NLB and
	// the tasks. The fix puts an ALB with the header rule in the NLB's place.
	{
		dir:       "scenarios/teaching/02-nlb-cannot-check-header",
		skippable: []string{"internet/2", "internet/3"},
		skipVia:   "internet/own-distribution",
	},

	// The api admits the web tasks' group, but the internal ALB opens its own
	// connection and carries its own group, so the intended hop is broken. A
	// compromised web task that goes around the ALB matches the rule. The fix
	// admits the ALB's group instead.
	{
		dir:            "scenarios/teaching/03-proxy-replaces-identity",
		skippable:      []string{"breached-web/3"},
		broken:         []string{"api-alb->api"},
		brokenIdentity: "api-alb",
	},

	// A second "temporary" group on the web servers admits 8080 from
	// 0.0.0.0/0. Groups on one interface pool their rules, so the tight rule
	// is shadowed, and the servers' public addresses make them reachable
	// without the ALB. The fix detaches the second group.
	{
		dir:       "scenarios/teaching/04-union-of-groups",
		skippable: []string{"internet/2"},
		warnings:  []string{"shadowed-rule:security_groups.web.ingress[0],security_groups.debug-temp.ingress[0]"},
	},

	// The app subnets' network ACL admits the ALB's requests but no outbound
	// replies to the ALB's ephemeral ports. Network ACLs are stateless, so
	// the replies die at the subnet boundary and the hop is broken. The fix
	// adds an outbound rule for 1024-65535 to the ALB's subnets.
	{
		dir:          "scenarios/teaching/05-stateless-nacl",
		broken:       []string{"alb->app"},
		brokenReason: "SUBNET_ACL_RESTRICTION",
	},

	// Instance targets behind an NLB see the client's address (client IP
	// preservation is on by default), so a target rule for the VPC CIDR drops
	// every client connection. The fix admits the NLB's security group.
	{
		dir:              "scenarios/teaching/06-nlb-client-ip-preservation",
		broken:           []string{"nlb->app"},
		brokenIdentity:   "nlb",
		brokenSrcOutside: "10.",
	},

	// The NLB was created without security groups, so it admits every
	// client, and no group can be added to it later. The tasks are ip targets
	// behind TCP, so client IP preservation is off and they see the NLB's
	// private address, which their VPC CIDR rule admits. The internet skips
	// CloudFront by connecting to the NLB directly. The fix, a new NLB whose
	// group admits only the CloudFront prefix list, closes that path. The list
	// is shared by every account's distributions and an NLB cannot check a
	// secret header, so both stages stay skippable through the attacker's own
	// distribution, and only through it.
	{
		dir:          "scenarios/teaching/07-nlb-without-security-groups",
		skippable:    []string{"internet/2", "internet/3"},
		skipPaths:    []string{"internet > nlb", "internet > nlb > app"},
		fixSkippable: []string{"internet/2", "internet/3"},
		fixSkipVia:   "internet/own-distribution",
	},

	// The web servers have public addresses in subnets routed to the internet
	// gateway, so an SSH rule for the administrator's /32 is a path around the
	// ALB: that address is on the internet, and any internet host may send
	// from it. The fix moves the servers to private subnets without public
	// addresses and drops the rule in favour of Session Manager.
	{
		dir:       "scenarios/teaching/08-public-web-tier",
		skippable: []string{"internet/2"},
		skipPaths: []string{"internet > web"},
	},

	// The app tasks have IPv6 addresses, their private route table sends
	// ::/0 to the internet gateway, and their group admits 8080 from ::/0.
	// IPv6 addresses are public and pass the internet gateway
	// untranslated, so any IPv6 host reaches the tasks without CloudFront or
	// the ALB, and so does the attacker's own distribution from CloudFront's
	// IPv6 pool. The fix routes ::/0 to an egress-only internet gateway,
	// which lets no IPv6 connection in, and drops the rule.
	{
		dir:       "scenarios/teaching/09-ipv6-internet-route",
		skippable: []string{"internet/3"},
		skipPaths: []string{"internet > app", "internet > internet/own-distribution > app"},
		arrivals:  []string{"internet > app=2001:db8:203::7", "internet > internet/own-distribution > app=2001:db8:c0::1"},
	},

	// The workers call the internet-facing ALB by its public name, so their
	// requests leave through the NAT gateway and arrive from its Elastic IP
	// address. The ALB's rule references the workers' group, which matches
	// only private addresses, so the hop is broken, and the hop behind the
	// ALB carries nothing. The fix makes the ALB internal: its name resolves
	// to private addresses, and the reference matches.
	{
		dir:      "scenarios/teaching/10-public-name-hairpin",
		broken:   []string{"worker->alb", "alb->api"},
		arrivals: []string{"worker > alb=52.10.20.30"},
	},
}

// checkTeaching runs check --format json on file and decodes the report.
func checkTeaching(t *testing.T, file string) (teachingReport, int) {
	t.Helper()
	stdout, stderr, status := run(t, "check", "--format", "json", file)
	if status == exitInvalid {
		t.Fatalf("check %s exited 2: %s", file, stderr)
	}
	var r teachingReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("check %s: output is not one JSON report: %v", file, err)
	}
	return r, status
}

func TestTeachingBrokenScenarios(t *testing.T) {
	for _, lesson := range teachingLessons {
		t.Run(filepath.Base(lesson.dir), func(t *testing.T) {
			r, status := checkTeaching(t, lesson.dir+"/broken.yaml")
			if status != exitFindings {
				t.Errorf("exit status = %d, want %d", status, exitFindings)
			}
			if r.Verdict != "violated" {
				t.Errorf("verdict = %q, want violated", r.Verdict)
			}

			for _, st := range r.Stages {
				key := st.Attacker + "/" + itoa(st.Stage)
				want := "holds"
				if slices.Contains(lesson.skippable, key) {
					want = "skippable"
				}
				if st.Verdict != want {
					t.Errorf("stage %s verdict = %q, want %q", key, st.Verdict, want)
				}
			}
			for _, key := range lesson.skippable {
				attacker, stage, _ := strings.Cut(key, "/")
				found := false
				for _, f := range r.Findings {
					if f.Kind == "skip" && f.Code == "skip" && f.Attacker == attacker && itoa(f.Stage) == stage {
						found = true
					}
				}
				if !found {
					t.Errorf("no skip finding for %s", key)
				}
			}
			if lesson.skipVia != "" {
				for _, f := range r.Findings {
					if f.Kind == "skip" && !slices.Contains(f.Path, lesson.skipVia) {
						t.Errorf("skip finding for %s/%d has path %v, want it through %s", f.Attacker, f.Stage, f.Path, lesson.skipVia)
					}
				}
			}
			for _, want := range lesson.skipPaths {
				found := false
				for _, f := range r.Findings {
					if f.Kind == "skip" && strings.Join(f.Path, " > ") == want {
						found = true
					}
				}
				if !found {
					t.Errorf("no skip finding with path %s", want)
				}
			}

			for _, a := range lesson.arrivals {
				path, src, _ := strings.Cut(a, "=")
				found := false
				for _, f := range r.Findings {
					if strings.Join(f.Path, " > ") == path && len(f.Hops) > 0 && f.Hops[len(f.Hops)-1].Packet.Src == src {
						found = true
					}
				}
				if !found {
					t.Errorf("no finding with path %s whose last hop's packet comes from %s", path, src)
				}
			}

			for _, h := range r.Hops {
				key := h.From + "->" + h.To
				want := "holds"
				if slices.Contains(lesson.broken, key) {
					want = "broken"
				}
				if h.Verdict != want {
					t.Errorf("hop %s verdict = %q, want %q", key, h.Verdict, want)
				}
				if want != "broken" {
					continue
				}
				if wantReason := cmp.Or(lesson.brokenReason, "ENI_SG_RULES_MISMATCH"); h.Reason != wantReason {
					t.Errorf("hop %s reason = %q, want %s", key, h.Reason, wantReason)
				}
				if h.Packet == nil {
					t.Errorf("hop %s has no packet", key)
					continue
				}
				if lesson.brokenIdentity != "" && !slices.Contains(h.Packet.Identity, lesson.brokenIdentity) {
					t.Errorf("hop %s packet carries groups %v, want %s", key, h.Packet.Identity, lesson.brokenIdentity)
				}
				if lesson.brokenSrcOutside != "" && strings.HasPrefix(h.Packet.Src, lesson.brokenSrcOutside) {
					t.Errorf("hop %s packet source = %s, want the client's address outside %s*", key, h.Packet.Src, lesson.brokenSrcOutside)
				}
			}
			for _, key := range lesson.broken {
				from, to, _ := strings.Cut(key, "->")
				found := false
				for _, f := range r.Findings {
					if f.Kind != "broken" || f.Code != "broken-hop" || len(f.Path) < 2 {
						continue
					}
					last := len(f.Path) - 1
					// A hop is also broken when no intended traffic reaches
					// its forwarding tier. Its finding names the receiving
					// tier, and its path ends where that traffic stopped.
					if (f.Path[last-1] == from && f.Path[last] == to) || (f.Tier == to && f.Path[last] == from) {
						found = true
					}
				}
				if !found {
					t.Errorf("no broken-hop finding for %s", key)
				}
			}

			for _, w := range lesson.warnings {
				code, rules, _ := strings.Cut(w, ":")
				found := false
				for _, f := range r.Findings {
					if f.Kind == "warning" && f.Code == code && slices.Equal(f.Rules, strings.Split(rules, ",")) {
						found = true
					}
				}
				if !found {
					t.Errorf("no %s warning naming %s", code, rules)
				}
			}
		})
	}
}

// TestTeachingFixScenarios checks that every fix.yaml holds: every stage
// holds for every attacker, every intended hop holds, and nothing, not even
// a warning, is reported. A lesson with fixSkippable instead gets exactly
// those skippable stages, each through fixSkipVia, and no other finding.
func TestTeachingFixScenarios(t *testing.T) {
	for _, lesson := range teachingLessons {
		t.Run(filepath.Base(lesson.dir), func(t *testing.T) {
			r, status := checkTeaching(t, lesson.dir+"/fix.yaml")
			wantStatus, wantVerdict := exitOK, "holds"
			if len(lesson.fixSkippable) > 0 {
				wantStatus, wantVerdict = exitFindings, "violated"
			}
			if status != wantStatus {
				t.Errorf("exit status = %d, want %d", status, wantStatus)
			}
			if r.Verdict != wantVerdict {
				t.Errorf("verdict = %q, want %s", r.Verdict, wantVerdict)
			}
			for _, st := range r.Stages {
				key := st.Attacker + "/" + itoa(st.Stage)
				want := "holds"
				if slices.Contains(lesson.fixSkippable, key) {
					want = "skippable"
				}
				if st.Verdict != want {
					t.Errorf("stage %s verdict = %q, want %q", key, st.Verdict, want)
				}
			}
			for _, h := range r.Hops {
				if h.Verdict != "holds" {
					t.Errorf("hop %s->%s verdict = %q, want holds", h.From, h.To, h.Verdict)
				}
			}
			for _, f := range r.Findings {
				key := f.Attacker + "/" + itoa(f.Stage)
				if f.Kind == "skip" && slices.Contains(lesson.fixSkippable, key) && slices.Contains(f.Path, lesson.fixSkipVia) {
					continue
				}
				t.Errorf("unexpected %s finding %s on tier %s with path %v", f.Kind, f.Code, f.Tier, f.Path)
			}
		})
	}
}

// TestTeachingLessonsListed checks that every lesson folder has a broken.yaml
// and a fix.yaml and an entry in teachingLessons, so that a new lesson cannot
// ship without asserted verdicts.
func TestTeachingLessonsListed(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(rootDir, "scenarios", "teaching", "*", "broken.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, lesson := range teachingLessons {
		listed[lesson.dir] = true
	}
	for _, broken := range dirs {
		rel, _ := filepath.Rel(rootDir, filepath.Dir(broken))
		dir := filepath.ToSlash(rel)
		if !listed[dir] {
			t.Errorf("%s has no entry in teachingLessons", dir)
		}
		delete(listed, dir)
	}
	for dir := range listed {
		t.Errorf("teachingLessons lists %s, which has no broken.yaml", dir)
	}
	fixes, err := filepath.Glob(filepath.Join(rootDir, "scenarios", "teaching", "*", "fix.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(fixes) != len(dirs) {
		t.Errorf("found %d broken.yaml and %d fix.yaml files, want a fix for every broken scenario", len(dirs), len(fixes))
	}
}
