// Command sgchain model-checks layered AWS network designs: it finds every
// way an attacker can skip a hop of a security-group chain, and every
// intended hop that no longer carries traffic.
package main

import "os"

func main() {
	os.Exit(Run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}
