#!/usr/bin/env bash
# ollama-build.sh - provide a pinned, CPU-only `ollama` binary for Hearth's
# integration tests (internal/ollamatest) and print its path as the last line.
#
#   bash scripts/ollama-build.sh            # build once (about 10-15 min on 2 cores), then seconds
#   HEARTH_OLLAMA_FLAVOR=generic bash scripts/ollama-build.sh   # force the portable build
#
# The binary is built from the Go module github.com/ollama/ollama (no release
# download, no cmake) and cached outside the repository in
#   ${HEARTH_CACHE:-$HOME/.cache/hearth}/ollama-<version>/<flavour>/bin/ollama
# next to a success marker; a cached build is reused as long as the marker
# matches the version and flags.
#
# Why the extra steps: Go module zips leave out every nested vendor/ folder, so
# ollama's llama/llama.cpp/vendor/ (nlohmann json, stb_image, miniaudio) is
# missing. Debian's nlohmann-json3-dev and libstb-dev supply the first two; the
# third is only used for audio input to multimodal models, so a stand-in header
# whose decoder always fails is enough.
#
# Flavours: "v3" compiles ggml's CPU kernels with -O3 -march=x86-64-v3
# (AVX2/FMA/F16C, about 3x faster on real-sized models) and is picked when the
# CPU supports it; "generic" is the plain cgo build (no SIMD). Each flavour has
# its own folder and build cache, because changing CGO_*FLAGS rebuilds all of
# llama.cpp.
set -euo pipefail

# The whole script is one function, called on the last line, so that bash has
# read all of it before running any: editing the file during a 10-minute
# build cannot change what the running build does next.
main() {
OLLAMA_VERSION=v0.17.4
OLLAMA_MODULE=github.com/ollama/ollama

cache_root=${HEARTH_CACHE:-$HOME/.cache/hearth}
base=$cache_root/ollama-$OLLAMA_VERSION

log() { printf 'ollama-build: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# cpu_supports_v3 reports whether this CPU runs x86-64-v3 code.
cpu_supports_v3() {
  [ "$(uname -m)" = x86_64 ] || return 1
  local flags f
  flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
  for f in avx avx2 bmi1 bmi2 f16c fma abm movbe xsave; do
    case " $flags " in *" $f "*) ;; *) return 1 ;; esac
  done
}

flavor=${HEARTH_OLLAMA_FLAVOR:-auto}
if [ "$flavor" = auto ]; then
  if cpu_supports_v3; then flavor=v3; else flavor=generic; fi
fi
case $flavor in
  v3) cgo_opt="-O3 -march=x86-64-v3" ;;
  generic) cgo_opt="-O2 -g" ;;
  *) die "HEARTH_OLLAMA_FLAVOR must be auto, v3 or generic, not '$flavor'" ;;
esac
if [ "$flavor" = v3 ] && ! cpu_supports_v3; then
  die "HEARTH_OLLAMA_FLAVOR=v3 but this CPU lacks x86-64-v3 (AVX2, FMA, BMI2...)"
fi

dir=$base/$flavor
bin=$dir/bin/ollama
marker=$dir/BUILD-OK
ldflags="-s -w -X $OLLAMA_MODULE/version.Version=${OLLAMA_VERSION#v}"
# The marker records everything that decides the binary's content, so a
# changed flag triggers a rebuild instead of silently reusing a stale binary.
want="version=$OLLAMA_VERSION flavor=$flavor cgo=\"$cgo_opt\" ldflags=\"$ldflags\""

if [ -x "$bin" ] && [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$dir"
# One build at a time per flavour: parallel test packages may all ask at once.
exec 9>"$dir/.lock"
flock 9
if [ -x "$bin" ] && [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ]; then
  echo "$bin"
  exit 0
fi
rm -f "$marker"

# 1. Headers the module zip lacks.
if [ "$(dpkg-query -W -f='${Status}\n' nlohmann-json3-dev libstb-dev 2>/dev/null | grep -c 'install ok installed')" != 2 ]; then
  command -v apt-get >/dev/null || die "need nlohmann-json3-dev and libstb-dev headers (Debian/Ubuntu packages)"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  log "installing nlohmann-json3-dev libstb-dev with apt-get"
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq nlohmann-json3-dev libstb-dev >&2
fi

# The stand-in lives at a fixed path per version: its -I path is part of the
# cgo flags, and any change there would rebuild all of llama.cpp.
shim=$base/include
mkdir -p "$shim/miniaudio"
cat >"$shim/miniaudio/miniaudio.h.tmp" <<'HDR'
/* Stand-in for miniaudio.h, written by Hearth's scripts/ollama-build.sh.
 * The Go module zip of ollama omits llama.cpp's vendor/ folder; the only user
 * of miniaudio there is mtmd-helper.cpp, which decodes audio input for
 * multimodal models. Hearth's tests never send audio, so every decoder call
 * here reports failure and the caller returns "unable to read audio". */
#ifndef HEARTH_MINIAUDIO_STANDIN_H
#define HEARTH_MINIAUDIO_STANDIN_H
#include <stddef.h>
#include <stdint.h>

typedef int ma_result;
typedef uint32_t ma_uint32;
typedef uint64_t ma_uint64;
#define MA_SUCCESS 0
#define MA_ERROR (-1)

typedef enum { ma_format_unknown = 0, ma_format_f32 = 5 } ma_format;
typedef enum { ma_encoding_format_wav = 1 } ma_encoding_format;

typedef struct {
    ma_format format;
    ma_uint32 channels;
    ma_uint32 sampleRate;
} ma_decoder_config;

typedef struct { char opaque; } ma_decoder;

static inline ma_decoder_config ma_decoder_config_init(ma_format format, ma_uint32 channels, ma_uint32 rate) {
    ma_decoder_config cfg;
    cfg.format = format;
    cfg.channels = channels;
    cfg.sampleRate = rate;
    return cfg;
}

static inline ma_result ma_decoder_init_memory(const void *data, size_t size, const ma_decoder_config *cfg, ma_decoder *dec) {
    (void)data; (void)size; (void)cfg; (void)dec;
    return MA_ERROR;
}

static inline ma_result ma_decoder_get_length_in_pcm_frames(ma_decoder *dec, ma_uint64 *frames) {
    (void)dec;
    *frames = 0;
    return MA_ERROR;
}

static inline ma_result ma_decoder_read_pcm_frames(ma_decoder *dec, void *out, ma_uint64 frames, ma_uint64 *read) {
    (void)dec; (void)out; (void)frames;
    *read = 0;
    return MA_ERROR;
}

static inline ma_result ma_decoder_uninit(ma_decoder *dec) {
    (void)dec;
    return MA_SUCCESS;
}
#endif
HDR
if cmp -s "$shim/miniaudio/miniaudio.h.tmp" "$shim/miniaudio/miniaudio.h"; then
  rm "$shim/miniaudio/miniaudio.h.tmp" # unchanged: keep its mtime, keep the build cache warm
else
  mv "$shim/miniaudio/miniaudio.h.tmp" "$shim/miniaudio/miniaudio.h"
fi

# 2. The build. GOCACHE is per flavour and kept, so a rebuild after a lost
# binary only relinks; GOMODCACHE is the user's, so module downloads are shared.
log "building $OLLAMA_MODULE@$OLLAMA_VERSION ($flavor); a cold build takes 10-15 min on 2 cores"
start=$(date +%s)
stage=$dir/bin.tmp
rm -rf "$stage"
mkdir -p "$stage"
(
  cd "$dir" # outside any module, so `go install pkg@version` uses ollama's own go.mod
  export GOBIN=$stage GOCACHE=$dir/gocache GOFLAGS=-mod=mod GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=1
  export CGO_CPPFLAGS="-I$shim" CGO_CFLAGS="$cgo_opt" CGO_CXXFLAGS="$cgo_opt"
  # Niceness 15 in all, however the script itself was started: the machine
  # running the tests is usually busy with other work.
  nice -n $(( $(nice) < 15 ? 15 - $(nice) : 0 )) go install -trimpath -ldflags "$ldflags" "$OLLAMA_MODULE@$OLLAMA_VERSION"
) >&2 || die "go install failed (output above)"

got=$("$stage/ollama" --version 2>&1 | tail -1)
case $got in
  *"${OLLAMA_VERSION#v}"*) ;;
  *) die "built binary reports '$got', want ${OLLAMA_VERSION#v}" ;;
esac
mkdir -p "$dir/bin"
mv -f "$stage/ollama" "$bin"
rmdir "$stage"
printf '%s\n' "$want" >"$marker.tmp" && mv "$marker.tmp" "$marker"
log "built in $(( $(date +%s) - start ))s"
echo "$bin"
}

main "$@"
