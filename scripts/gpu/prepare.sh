#!/usr/bin/env bash
# Prepares .cache/gpu (git-ignored) for the device tool's `carry`: what a GPU
# machine without Go or a network needs to run Ollama v0.17.4 on CUDA and
# measure it (issue 9). The ollama binary built here carries ggml's CPU
# backend through cgo; the CUDA backend is built there from the module's own
# ggml sources by scripts/gpu/build-cuda.sh. About 50 MB in all.
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
cp "$(bash scripts/build-server.sh | tail -1)" "$out/hearth"
cp scripts/gpu/build-cuda.sh scripts/gpu/measure.sh "$out/"
du -sh "$out"
