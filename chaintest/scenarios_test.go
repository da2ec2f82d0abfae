package chaintest_test

import (
	"testing"

	"github.com/sgchain/sgchain/chaintest"
)

// TestShippedScenarios is the project's own regression suite: every
// expectation of every shipped scenario must hold.
func TestShippedScenarios(t *testing.T) {
	chaintest.Run(t, "../scenarios/*.yaml")
}
