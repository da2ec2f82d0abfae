package sim_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sgchain/sgchain/sim"
)

// The tests in this file check how sgchain turns what an attacker reaches
// into stage verdicts. A stage is skippable when the attacker reaches one of
// its tiers without passing every earlier stage in order. The count starts
// at the stage the attacker runs in.

// A compromised tier of stage j that reaches stage j+1 follows the chain, so
// the next stage holds for it. Only the stage after that can be skipped.
func TestSkipNextStageIsNotSkip(t *testing.T) {
	d := baseDesign("next-stage")
	d.Attackers = `  breach: {kind: compromised, tier: app}`
	r := d.check(t)

	if v := hopVerdict(t, r, "app", "db"); v.Verdict != sim.Holds {
		t.Fatalf("hop app -> db = %s %s, want %s: the app must reach db for the test to mean anything", v.Verdict, v.Reason, sim.Holds)
	}
	if fs := skipsTo(r, "breach", "db"); len(fs) != 0 {
		t.Errorf("reaching the next stage is reported as a skip: %s", fs[0].Message)
	}
	if v := stageVerdict(t, r, "breach", 4); v.Verdict != sim.Holds {
		t.Errorf("stage 4 = %s, want %s", v.Verdict, sim.Holds)
	}
	if v := stageVerdict(t, r, "breach", 3); !strings.Contains(v.Note, "stage 3") {
		t.Errorf("stage 3 note = %q, want it to say the attacker runs in stage 3", v.Note)
	}
}

// A compromised tier of stage j that reaches stage j+2 directly skips stage
// j+1, and the finding names the tiers of that stage.
func TestSkipTwoStagesAhead(t *testing.T) {
	d := baseDesign("two-stages")
	d.ExtraGroups = "  cache: {ingress: [{protocol: tcp, ports: 6379, from: {security_group: app}}], egress: none}\n"
	d.ExtraTiers = "  cache: {kind: elasticache, subnets: [db-a], security_groups: [cache]}\n"
	d.Chain = `[[edge], [alb], [app], [cache], [db]]`
	d.Attackers = `  breach: {kind: compromised, tier: app}`
	r := d.check(t)

	f := skipAlong(r, "breach", "db")
	if f == nil {
		t.Fatalf("app reaches db, two stages ahead, without a skip finding\n%s", dump(r))
	}
	if f.Stage != 5 || f.Tier != "db" {
		t.Errorf("finding stage %d tier %s, want stage 5 tier db", f.Stage, f.Tier)
	}
	if !slices.Equal(f.Skipped, []string{"cache"}) {
		t.Errorf("Skipped = %v, want [cache]", f.Skipped)
	}
	if v := stageVerdict(t, r, "breach", 5); v.Verdict != sim.Skippable {
		t.Errorf("stage 5 = %s, want %s", v.Verdict, sim.Skippable)
	}
	if v := stageVerdict(t, r, "breach", 4); v.Verdict != sim.Holds {
		t.Errorf("stage 4 = %s, want %s: cache is the next stage", v.Verdict, sim.Holds)
	}
}

// An address-range attacker starts before the chain. Reaching an internal
// tier of stage 2 skips stage 1.
func TestSkipAddressRangeSkipsFirstStage(t *testing.T) {
	d := baseDesign("address-range")
	d.AppIngress = `[{protocol: tcp, ports: 8080, from: {security_group: alb}}, {protocol: tcp, ports: 8080, from: {cidr: 10.50.0.0/16}}]`
	d.Chain = `[[alb], [app], [db]]`
	d.Attackers = `  vpn: {kind: address-range, cidrs: [10.50.0.0/16]}`
	r := d.check(t)

	f := skipAlong(r, "vpn", "app")
	if f == nil {
		t.Fatalf("vpn does not reach app\n%s", dump(r))
	}
	if f.Stage != 2 || !slices.Equal(f.Skipped, []string{"alb"}) {
		t.Errorf("finding stage %d skipped %v, want stage 2 skipped [alb]", f.Stage, f.Skipped)
	}
	if !prefix("10.50.0.0/16").Contains(f.Packet.Src) {
		t.Errorf("packet source %s, want one in 10.50.0.0/16", f.Packet.Src)
	}
	if v := stageVerdict(t, r, "vpn", 2); v.Verdict != sim.Skippable {
		t.Errorf("stage 2 = %s, want %s", v.Verdict, sim.Skippable)
	}
	if v := stageVerdict(t, r, "vpn", 3); v.Verdict != sim.Holds {
		t.Errorf("stage 3 = %s, want %s: db admits only the app's group", v.Verdict, sim.Holds)
	}
}

// The skipped list names every tier of every stage the path did not pass,
// including each tier of a stage with several.
func TestSkipListNamesStageTiers(t *testing.T) {
	d := baseDesign("skipped-list")
	d.AppIngress = `[{protocol: tcp, ports: 8080, from: {security_group: alb}}, {protocol: tcp, ports: 8080, from: {cidr: 10.50.0.0/16}}]`
	d.ExtraGroups = "  admin: {ingress: [], egress: none}\n"
	d.ExtraTiers = "  admin: {kind: ecs, subnets: [app-a], security_groups: [admin]}\n"
	d.Chain = `[[edge], [alb, admin], [app], [db]]`
	d.Attackers = `  vpn: {kind: address-range, cidrs: [10.50.0.0/16]}`
	r := d.check(t)

	f := skipAlong(r, "vpn", "app")
	if f == nil {
		t.Fatalf("vpn does not reach app\n%s", dump(r))
	}
	if want := []string{"edge", "alb", "admin"}; !slices.Equal(f.Skipped, want) {
		t.Errorf("Skipped = %v, want %v", f.Skipped, want)
	}
	for _, name := range f.Skipped {
		if !strings.Contains(f.Message, name) {
			t.Errorf("message does not name skipped tier %s: %s", name, f.Message)
		}
	}
}

// reportTexts returns every text a report renders: messages, notes, stage
// evidence, rule names, Packet.String of every packet, and the components,
// rules, details, reasons and replies of every hop and step. It also counts the packets that
// carry the secret value as a secret header.
func reportTexts(r *sim.Report) (texts []string, carried int) {
	addPacket := func(where string, p *sim.Packet) {
		if p == nil {
			return
		}
		for _, h := range p.Headers {
			if h.Value == secretValue && h.Secret {
				carried++
			}
		}
		texts = append(texts, where+" packet: "+p.String())
	}
	addHops := func(where string, hops []sim.Hop) {
		for i := range hops {
			h := &hops[i]
			addPacket(where+" hop", &h.Packet)
			texts = append(texts, where+" reply: "+h.Reply, where+" reason: "+h.Reason)
			for _, st := range h.Steps {
				texts = append(texts, where+" step: "+st.Component+" | "+st.Rule+" | "+st.Detail)
			}
		}
	}
	for _, f := range r.Findings {
		where := "finding " + strings.Join(f.Path, " > ")
		texts = append(texts, where+" message: "+f.Message)
		texts = append(texts, f.Rules...)
		addPacket(where, f.Packet)
		addHops(where, f.Hops)
	}
	for _, h := range r.Hops {
		where := "hop " + h.From + " -> " + h.To
		addPacket(where, h.Packet)
		addHops(where, h.Hops)
	}
	for _, v := range r.Stages {
		texts = append(texts, "stage note: "+v.Note)
		texts = append(texts, v.Evidence...)
	}
	texts = append(texts, r.Notes...)
	return texts, carried
}

// assertNoSecret fails the test for every text that contains the secret
// value, in any case.
func assertNoSecret(t *testing.T, texts []string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(strings.ToLower(s), strings.ToLower(secretValue)) {
			t.Errorf("secret value printed in %s", strings.ReplaceAll(s, secretValue, "<SECRET>"))
		}
	}
}

// Secret origin header values never appear in rendered text: not in
// Packet.String, nor in any hop, step, message or note of a report.
func TestSecretValueNeverPrinted(t *testing.T) {
	// The attackers that know the secret send it, so packets in the report
	// carry it and the renderers must hide it.
	t.Run("known secret", func(t *testing.T) {
		d := baseDesign("secret")
		d.Attackers = "  internet: {kind: internet, knows_secrets: [X-CloudFront-Secret]}\n" +
			"  breach: {kind: compromised, tier: app}\n" +
			"  rogue-cdn: {kind: cloudfront-distribution, knows_secrets: [X-CloudFront-Secret]}"
		d.ALBIngress = `[{protocol: tcp, ports: 443, from: {prefix_list: cloudfront}}, {protocol: tcp, ports: 443, from: {security_group: app}}]`
		r := d.check(t)

		texts, carried := reportTexts(r)
		if carried == 0 {
			t.Fatalf("no packet in the report carries the secret, so the test shows nothing\n%s", dump(r))
		}
		assertNoSecret(t, texts)
		if !slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, "<secret value of X-CloudFront-Secret>") }) {
			t.Errorf("no rendered packet shows the secret placeholder")
		}
	})

	// A listener pattern that extends the secret makes the explorer build
	// header values around it. None of them may show the secret.
	t.Run("pattern extends secret", func(t *testing.T) {
		d := baseDesign("secret-pattern")
		d.ALBRules = `[{priority: 10, conditions: [{http_header: {name: X-CloudFront-Secret, values: ["` + secretValue + `*"]}}],` +
			` action: {forward: {tier: app, port: 8080}}}]`
		r := d.check(t)

		texts, _ := reportTexts(r)
		assertNoSecret(t, texts)
	})
}
