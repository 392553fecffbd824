# Run `make help` for the list of targets. Every tool is pinned in
# tools/go.mod and runs through `go tool`, so a fresh clone needs only Go.

GO        ?= go
TOOL      := $(GO) tool -modfile=tools/go.mod
BUF       := $(TOOL) buf
PROTOVALIDATE_DIR := third_party/protovalidate

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets with a short description.
	@# Target names in colour on a terminal; plain text into a pipe or a file.
	@if [ -t 1 ]; then fmt='  \033[36m%-18s\033[0m %s\n'; else fmt='  %-18s %s\n'; fi; \
		awk -v fmt="$$fmt" 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf fmt, $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: demo
demo: ## Run the demo (the README's main job).
	$(GO) run ./cmd/cplugin demo

.PHONY: third-party-proto
third-party-proto: ## Copy the committed third_party/protovalidate (validate.proto, LICENSE) from the pinned release.
	$(GO) -C tools run ./protovalidate-proto -out ../$(PROTOVALIDATE_DIR)

# The former name, for scripts that still call it; nothing needs it first any more.
.PHONY: protovalidate-proto
protovalidate-proto: third-party-proto

.PHONY: generate
generate: third-party-proto ## Regenerate everything generated: third_party/protovalidate, Go bindings (gen/go), mocks.
	$(BUF) generate
	$(GO) generate ./...

.PHONY: check-generated
check-generated: generate ## Regenerate and fail if the result differs from what is committed.
	@changes=$$(git status --porcelain --untracked-files=all -- .); \
		if [ -n "$$changes" ]; then \
			echo "$$changes"; git --no-pager diff --stat -- .; \
			echo "generated files are out of date: run 'make generate' and commit the result"; exit 1; \
		fi

.PHONY: golden
golden: ## Rewrite the golden wire fixtures (contract/testdata/golden) after an intended contract change.
	$(GO) test ./contract -run Golden -update

.PHONY: proto-lint
proto-lint: ## Lint and format-check the proto files (buf lint, buf format) of the whole buf workspace.
	$(BUF) lint
	$(BUF) format --diff --exit-code

.PHONY: proto-breaking
proto-breaking: ## Check the contract for breaking changes against the previous commit of main.
	@bash scripts/proto-breaking.sh

.PHONY: lint
lint: proto-lint ## Run golangci-lint (main, interop and realconduit modules), gofumpt and proto-lint.
	$(TOOL) golangci-lint run ./...
	$(MAKE) --no-print-directory interop-lint
	$(MAKE) --no-print-directory real-conduit-lint
	@out=$$($(TOOL) gofumpt -l $$(git ls-files '*.go' | grep -v '^gen/')); \
		if [ -n "$$out" ]; then echo "gofumpt: these files need formatting:"; echo "$$out"; exit 1; fi

.PHONY: interop-lint
interop-lint: ## Lint the interop module (a separate Go module).
	cd interop && $(GO) tool -modfile=../tools/go.mod golangci-lint run --config ../.golangci.yml ./...

.PHONY: real-conduit-lint
real-conduit-lint: ## Lint the realconduit module (a separate Go module).
	cd realconduit && $(GO) tool -modfile=../tools/go.mod golangci-lint run --config ../.golangci.yml ./...

.PHONY: fmt
fmt: ## Format Go (gofumpt) and proto (buf format) files in place.
	$(TOOL) gofumpt -w $$(git ls-files '*.go' | grep -v '^gen/')
	$(BUF) format -w proto

.PHONY: test
test: ## Run all tests with the race detector.
	$(GO) test -race -count=1 ./...

.PHONY: crosslang
crosslang: ## Install the Python/TypeScript example prerequisites (apt, npm) and run the cross-language tests.
	bash examples/ci-setup.sh
	@# Run in the package's directory, so that go test shows the line that
	@# says how many connectors were tested (it hides a passing package's
	@# output when given a package path).
	CROSSLANG_REQUIRED=1 $(GO) -C examples/crosslang test -race -count=1

.PHONY: interop
interop: ## Interoperability test with the existing Conduit SDK and host client (separate module interop/).
	cd interop && $(GO) test -race -count=1 ./...

.PHONY: real-conduit
real-conduit: ## Run the example connectors under the real Conduit server v0.14.0 (separate module realconduit/; builds Conduit once, cached).
	cd realconduit && $(GO) test -race -count=1 -timeout 20m ./...

.PHONY: cover
cover: ## Print statement coverage of cpluginv1/...
	$(GO) test -count=1 -coverpkg=./cpluginv1/... -coverprofile=build/cover.out ./cpluginv1/... >/dev/null
	$(GO) tool cover -func=build/cover.out | tail -n 1

FUZZTIME ?= 60s

.PHONY: fuzz
fuzz: ## Run every fuzz target of the main module for FUZZTIME (default 60s), one at a time; CI: make fuzz FUZZTIME=3s.
	GO=$(GO) FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

BENCHTIME  ?= 1s
BENCHCOUNT ?= 3
BENCHPKGS  := ./benchmarks ./internal/toproto
BENCHCMD    = $(GO) test -run='^$$' -bench=. -benchtime=$(BENCHTIME) -count=1 $(BENCHPKGS)

.PHONY: bench
bench: ## Run the benchmarks BENCHCOUNT times (default 3), print one table, write build/performance.md (git-ignored).
	@mkdir -p build && rm -f build/bench.txt
	@for i in $$(seq $(BENCHCOUNT)); do \
		echo "== run $$i of $(BENCHCOUNT): $(BENCHCMD)"; \
		$(BENCHCMD) 2>&1 | tee -a build/bench.txt; \
	done
	$(GO) run ./benchmarks/cmd/benchtable -out build/performance.md \
		-cmd "$(BENCHCMD), $(BENCHCOUNT) times in turn (make bench)" build/bench.txt

.PHONY: bench-doc
bench-doc: bench ## Run make bench and copy its table to docs/performance.md, the committed record the README quotes.
	cp build/performance.md docs/performance.md
	@echo "wrote docs/performance.md: review it, and the README's figures (section Performance), before committing"
