# Hearth's build. The README's two commands are `make install` and `make test`;
# .ci/run calls `make test`. Heavy tools (a real Ollama, code-server, Chromium)
# are installed by scripts/ into $(HEARTH_CACHE), outside the repository, so a
# reused machine keeps them.

SHELL := /bin/bash
export HEARTH_CACHE ?= $(HOME)/.cache/hearth
# go-nvml's headers mark some calls deprecated; silence that here rather than
# patching the module.
export CGO_ENABLED := 1
export CGO_CFLAGS := -O2 -Wno-deprecated-declarations

PREFIX ?= $(HOME)/.local
# The server lives where the extension looks for it: bin/<node platform>-<node arch>.
SERVER_BIN = bin/$(shell node -p 'process.platform + "-" + process.arch')/hearth

.PHONY: all build server extension vsix install test test-go test-race test-node test-lsp-node test-ollama test-e2e bench gpu-prepare fuzz generate clean

all: build

## build: the server binary, the extension bundle and the .vsix
build: server vsix

server:
	bash scripts/build-server.sh

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

extension: node_modules/.installed
	npm run --silent build

vsix: server extension
	npm run --silent package

## install: build everything, put `hearth` on PATH and the extension into VS Code
install: build
	install -D -m 0755 $(SERVER_BIN) $(PREFIX)/bin/hearth
	@echo "installed $(PREFIX)/bin/hearth"
	@vsix=$$(ls -t dist/*.vsix | head -1); echo "extension package: $$vsix"; \
	if command -v code >/dev/null; then code --install-extension "$$vsix" --force; \
	else echo "VS Code's 'code' command is not on PATH: install $$vsix from VS Code (Extensions: Install from VSIX...)"; fi

## test: every test, installing what they need (this is what CI runs)
test: test-go test-node test-lsp-node test-ollama test-e2e
	@echo "all test suites passed"

test-go:
	go vet ./...
	go test -count=1 ./...

test-race:
	go test -race -count=1 ./server/... ./planact/... ./snapshot/... ./llm/...

test-node: node_modules/.installed
	bash scripts/chromium-setup.sh
	npm run --silent test:unit
	npm run --silent test:webview

test-lsp-node: server node_modules/.installed
	go build -o bin/fake-ollama ./cmd/fake-ollama
	HEARTH_BIN=$(CURDIR)/$(SERVER_BIN) FAKE_OLLAMA_BIN=$(CURDIR)/bin/fake-ollama node --test extension/test/server/lsp.test.mjs

test-ollama:
	HEARTH_OLLAMA_BIN=$$(bash scripts/ollama-build.sh | tail -1) HEARTH_REAL_OLLAMA=1 \
		go test -count=1 -timeout 20m ./internal/ollamatest/...

test-e2e: node_modules/.installed
	npm run --silent test:e2e

## bench: every benchmark, one package after another (the snapshot one builds a
## 20,000-file workspace once under $(HEARTH_CACHE)/bench; HEARTH_BENCH_FILES=2000 for a quick run)
bench:
	go test -run '^$$' -bench ServeStartup -benchtime 10x ./cmd/hearth
	go test -run '^$$' -bench 'Apply10kLines|Hunks10kLines|Corpus' -benchtime 100x ./actions
	go test -run '^$$' -bench Turn -benchtime 2000x -benchmem ./planact
	go test -run '^$$' -bench . -benchmem ./llm
	go test -run '^$$' -bench Snapshot -benchtime 3x -timeout 30m ./snapshot
	HEARTH_OLLAMA_BIN=$$(bash scripts/ollama-build.sh | tail -1) HEARTH_REAL_OLLAMA=1 \
		go test -run '^$$' -bench PromptCache -benchtime 1x -timeout 20m -v ./internal/ollamatest

## gpu-prepare: fill .cache/gpu with what a GPU machine without Go or a network needs to
## measure Ollama on CUDA against Hearth's prediction; there, with .cache/gpu carried:
## bash .cache/gpu/measure.sh (see docs/gpu-measurements.md)
gpu-prepare:
	bash scripts/gpu/prepare.sh

## fuzz: each fuzz target for a short while (FUZZTIME=60s by default)
FUZZTIME ?= 60s
fuzz:
	go test -run '^$$' -fuzz FuzzStreamRead -fuzztime $(FUZZTIME) ./server
	go test -run '^$$' -fuzz FuzzDecodeRequests -fuzztime $(FUZZTIME) ./server
	go test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./actions
	go test -run '^$$' -fuzz FuzzApply -fuzztime $(FUZZTIME) ./actions
	go test -run '^$$' -fuzz FuzzHunks -fuzztime $(FUZZTIME) ./actions
	go test -run '^$$' -fuzz FuzzParseTextCalls -fuzztime $(FUZZTIME) ./planact
	go test -run '^$$' -fuzz FuzzStreamWatchSplits -fuzztime $(FUZZTIME) ./llm
	go test -run '^$$' -fuzz FuzzParseScript -fuzztime $(FUZZTIME) ./llm/fakeollama
	go test -run '^$$' -fuzz FuzzParseSize -fuzztime $(FUZZTIME) ./vram
	go test -run '^$$' -fuzz FuzzParseNvidiaSMI -fuzztime $(FUZZTIME) ./vram

## generate: regenerate package.json's settings and docs/settings.md
generate:
	go run ./internal/settingsgen -w

clean:
	rm -rf bin dist extension/out
