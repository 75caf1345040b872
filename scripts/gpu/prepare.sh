#!/usr/bin/env bash
# Prepares .cache/gpu (git-ignored) for the device tool's `carry`: what a GPU
# machine without Go or a network needs to run Ollama v0.17.4 on CUDA and
# measure it (issue 9). The ollama binary built here carries ggml's CPU
# backend through cgo; the CUDA backend is built there from the module's own
# ggml sources by scripts/gpu/build-cuda.sh. tools/gpubench runs the
# measurements there (measure.sh). About 60 MB in all; the device tool
# carries at most 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CGO_CFLAGS="${CGO_CFLAGS:--O2 -Wno-deprecated-declarations}"
out=.cache/gpu; mkdir -p "$out"
cache=${HEARTH_CACHE:-$HOME/.cache/hearth}
mod=$(go env GOMODCACHE)/github.com/ollama/ollama@v0.17.4
[ -d "$mod" ] || go mod download github.com/ollama/ollama@v0.17.4
tar -C "$mod" -cJf "$out/ggml-src.tar.xz" CMakeLists.txt CMakePresets.json ml/backend/ggml/ggml
cp "$(bash scripts/ollama-build.sh | tail -1)" "$out/ollama"
ls "$cache"/tokenizer-qwen2_5-3.7.2/tokenizer.json >/dev/null   # fetched by the ollamatest harness
tar -C "$cache" -cJf "$out/tokenizer.tar.xz" tokenizer-qwen2_5-3.7.2
go build -trimpath -ldflags "-s -w" -o "$out/mkgguf" ./tools/mkgguf
go build -trimpath -ldflags "-s -w" -o "$out/gpubench" ./tools/gpubench
cp "$(bash scripts/build-server.sh | tail -1)" "$out/hearth"
cp scripts/gpu/build-cuda.sh scripts/gpu/measure.sh internal/ollamatest/testdata/qwen2.5-tools.gotmpl "$out/"
# Prompts are cut from this repository's Go code (about 1 MB, kept
# compressed: the carry is tight); Qwen makes about 3 characters of it a
# token.
git ls-files -z '*.go' | xargs -0 cat 2>/dev/null | head -c 1000000 | xz -T1 > "$out/corpus.txt.xz" || true
[ -s "$out/corpus.txt.xz" ]
du -sh "$out"
