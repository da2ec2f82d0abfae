# The two commands a new user needs are `make demo` and `make test`.

GO ?= go
SGCHAIN := bin/sgchain
REFERENCE := scenarios/nakama-dual-token.yaml

.PHONY: all build demo test bench fuzz fuzz-short vet clean

all: build

build:
	$(GO) build -o $(SGCHAIN) ./cmd/sgchain

# demo checks the reference architecture and prints its verdict. sgchain exits
# 1 when it finds a skippable stage or a broken hop; that is a verdict, not a
# failure of the demo, so only exit status 2 (invalid input) fails make.
demo: build
	@$(SGCHAIN) check $(REFERENCE); status=$$?; \
	if [ $$status -eq 2 ]; then exit 2; fi; \
	echo; echo "sgchain exit status $$status (0: everything holds, 1: findings)"

# test runs the Go tests, then the expectations of every shipped scenario
# with the freshly built binary, as CI would.
test: vet
	$(GO) test ./...
	$(GO) build -o $(SGCHAIN) ./cmd/sgchain
	$(SGCHAIN) test scenarios/

vet:
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./sim/

# fuzz runs each fuzz target for FUZZTIME (default 30s), one after another;
# docs/testing.md says how to run them longer.
FUZZTIME ?= 30s
FUZZ_TARGETS := ./model:FuzzParse ./sim:FuzzAtoms ./sim:FuzzAddrSet
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "$${t%%:*} $${t#*:}"; \
		$(GO) test $${t%%:*} -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

# fuzz-short runs each fuzz target for 10 seconds, as CI does after the tests.
fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=10s

clean:
	rm -rf bin
