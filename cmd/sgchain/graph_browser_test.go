package main

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// browserTimeout bounds one Chromium run. A cold start on a loaded CI
// machine takes a few seconds; a hung browser should fail the test, not
// stall it.
const browserTimeout = 2 * time.Minute

// findChromium returns the path of Debian's Chromium. Without it the test
// skips, unless SGCHAIN_REQUIRE_BROWSER=1 requires the browser tests to
// run, as CI sets it.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("SGCHAIN_REQUIRE_BROWSER") == "1" {
		t.Fatal("chromium is not on PATH, and SGCHAIN_REQUIRE_BROWSER=1 requires the browser test; install it with apt-get install chromium")
	}
	t.Skip("chromium is not on PATH; install it with apt-get install chromium, or set SGCHAIN_REQUIRE_BROWSER=1 to make its absence fail")
	return ""
}

// runChromium runs headless Chromium on a local page with a fresh profile
// and home folder, and with every background network feature off: the page
// is a file:// URL and needs nothing else.
func runChromium(t *testing.T, chromium string, args ...string) (stdout string) {
	t.Helper()
	home := t.TempDir()
	all := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + filepath.Join(home, "profile"),
	}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, all...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s failed: %v\nstderr:\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

// TestGraphHTMLInBrowser renders the HTML report of the reference
// architecture in headless Chromium, checks the elements of the rendered
// page, and checks that a screenshot of it shows a drawing with the skip
// color in it.
func TestGraphHTMLInBrowser(t *testing.T) {
	chromium := findChromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	_, stderr, status := run(t, "graph", "--format", "html", "-o", page, "scenarios/nakama-dual-token.yaml")
	if status != exitOK {
		t.Fatalf("graph exited %d: %s", status, stderr)
	}
	url := "file://" + filepath.ToSlash(page)
	v := loadView(t, "scenarios/nakama-dual-token.yaml")

	t.Run("dom", func(t *testing.T) {
		dom := runChromium(t, chromium, "--dump-dom", url)
		count := func(pattern string) int {
			return len(regexp.MustCompile(pattern).FindAllString(dom, -1))
		}
		checks := []struct {
			element string
			pattern string
			want    int
		}{
			{"diagram", `<svg id="diagram"`, 1},
			{"nodes", `<g class="node `, len(v.nodes)},
			{"tier nodes", `<g class="node tier`, 4},
			{"attacker nodes", `<g class="node attacker"`, 1},
			{"edges", `<path class="edge `, len(v.edges)},
			{"skip edges", `<path class="edge skip`, 3},
			{"intended edges that hold", `<path class="edge intended"`, 3},
			{"edge labels", `<g class="edge-label `, len(v.edges)},
			{"findings list", `<ol id="findings">`, 1},
			{"skip findings", `<li class="finding skip"`, 2},
			{"legend", `<div id="legend">`, 1},
			{"legend edge entries", `<li class="legend-edge `, len(edgeStyles)},
			{"stage verdicts", `<tr class="stage-verdict">`, 2},
			{"hop verdicts", `<tr class="hop-verdict">`, 4},
			{"column titles", `<text class="column-title"`, len(v.columns)},
		}
		for _, c := range checks {
			if got := count(c.pattern); got != c.want {
				t.Errorf("rendered page has %d %s (%s), want %d", got, c.element, c.pattern, c.want)
			}
		}
		if !strings.Contains(dom, "internet reaches nlb (stage 2) without passing edge") {
			t.Error("rendered page lacks the message of the first skip finding")
		}
		if !strings.Contains(dom, "tcp 192.0.2.1 -&gt; 198.51.100.11:7350") {
			t.Error("rendered page lacks the packet of the first skip finding")
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(dir, "report.png")
		runChromium(t, chromium, "--screenshot="+shot, "--window-size=1400,900", url)

		info, err := os.Stat(shot)
		if err != nil {
			t.Fatalf("chromium wrote no screenshot: %v", err)
		}
		// A blank 1400x900 PNG compresses to a few kilobytes.
		if info.Size() < 20_000 {
			t.Errorf("screenshot is %d bytes, want at least 20000 for a drawn page", info.Size())
		}
		f, err := os.Open(shot)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatalf("screenshot is not a PNG: %v", err)
		}

		if b := img.Bounds(); b.Dx() != 1400 || b.Dy() != 900 {
			t.Errorf("screenshot is %dx%d, want 1400x900", b.Dx(), b.Dy())
		}

		stats := screenshotColors(img)
		t.Logf("screenshot: %d distinct colors, %d pixels not white, %d skip-red, %d green", stats.distinct, stats.nonWhite, stats.skipRed, stats.holdGreen)
		if stats.distinct < 100 {
			t.Errorf("screenshot has %d distinct colors, want at least 100 for text and a drawing", stats.distinct)
		}
		if stats.nonWhite < img.Bounds().Dx()*img.Bounds().Dy()/20 {
			t.Errorf("only %d pixels are not white, want at least 5%% of the page", stats.nonWhite)
		}
		// Skip edges are 3 pixels wide, so their middle pixels have the
		// skip color exactly, or nearly so after color management.
		if stats.skipRed < 200 {
			t.Errorf("screenshot has %d pixels of the skip color %s, want at least 200", stats.skipRed, styleOf(edgeSkip).color)
		}
		if stats.holdGreen < 50 {
			t.Errorf("screenshot has %d pixels of the color %s of intended hops that hold, want at least 50", stats.holdGreen, styleOf(edgeIntended).color)
		}
	})
}

type colorStats struct {
	distinct, nonWhite, skipRed, holdGreen int
}

// screenshotColors counts the distinct colors of img, its pixels that are
// not white, and its pixels within a small distance of the skip red
// (#d62728) and the green of intended hops (#2e7d32).
func screenshotColors(img image.Image) colorStats {
	var s colorStats
	seen := map[[3]uint8]bool{}
	near := func(r, g, b uint8, want [3]int) bool {
		d := func(x uint8, y int) int { return max(int(x)-y, y-int(x)) }
		return d(r, want[0]) <= 12 && d(g, want[1]) <= 12 && d(b, want[2]) <= 12
	}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r16, g16, b16, _ := img.At(x, y).RGBA()
			r, g, b := uint8(r16>>8), uint8(g16>>8), uint8(b16>>8)
			seen[[3]uint8{r, g, b}] = true
			if r < 250 || g < 250 || b < 250 {
				s.nonWhite++
			}
			if near(r, g, b, [3]int{0xd6, 0x27, 0x28}) {
				s.skipRed++
			}
			if near(r, g, b, [3]int{0x2e, 0x7d, 0x32}) {
				s.holdGreen++
			}
		}
	}
	s.distinct = len(seen)
	return s
}
