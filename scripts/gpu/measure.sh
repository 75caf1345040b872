#!/usr/bin/env bash
# Runs on the GPU machine (carry .cache/gpu, made by scripts/gpu/prepare.sh):
# builds the CUDA backend if this machine lacks it (build-cuda.sh), makes
# random-weight models of Qwen2.5-Coder-7B's exact shape at Q8_0 and Q4_K_M
# (skipped when /tmp already has them), then runs tools/gpubench, which
# writes $OUT/results.jsonl (line by line), $OUT/summary.md and
# $OUT/serve.log. Environment, all optional:
#   PHASES=vram,fit,run  KV=f16,q8_0  CTX=4096,8192,16384,32768
#   QUANTS="q8_0 q4_k_m"  RUN_MODEL=m-q4_k_m  LIMIT=590 (the device's limit, s)
#   PRESET=qwen2.5-coder-7b (mkgguf's shape)  PORT=11500
#   SKIP_BUILD=1 OLLAMA_BIN=... (a CPU rehearsal)  GPUBENCH_FLAGS="-num-thread 1"
# gpubench stops starting measurements about a minute before LIMIT and
# still writes the summary. Models stay in /tmp/gpubench while the
# machine is warm, so a next call skips their creation.
R=$PWD; G=$R/.cache/gpu
LIMIT=${LIMIT:-590}
OLLAMA_BIN=${OLLAMA_BIN:-/tmp/o/ollama}
PRESET=${PRESET:-qwen2.5-coder-7b}
if [ -z "$SKIP_BUILD" ] && [ ! -f /tmp/o/build/lib/ollama/libggml-cuda.so ]; then
  LOGS=/tmp/o-logs BUILD_SECS=${BUILD_SECS:-420} bash "$G/build-cuda.sh" > /tmp/o-logs-build.txt 2>&1 || true
  tail -5 /tmp/o-logs-build.txt
fi
ls -la "$(dirname "$OLLAMA_BIN")/build/lib/ollama/libggml-cuda.so" || echo "no CUDA backend: Ollama will run on the CPU"
mkdir -p /tmp/gpubench/tok
[ -d /tmp/gpubench/tok/tokenizer-qwen2_5-3.7.2 ] || tar -C /tmp/gpubench/tok -xJf "$G/tokenizer.tar.xz"
[ -s /tmp/gpubench/corpus.txt ] || xz -dc "$G/corpus.txt.xz" > /tmp/gpubench/corpus.txt
gguf=""
for q in ${QUANTS:-q8_0 q4_k_m}; do
  f=/tmp/gpubench/$PRESET-$q.gguf
  [ -f $f ] || /usr/bin/time -f "mkgguf $q %es" "$G/mkgguf" -preset $PRESET -weights $q -tokenizer /tmp/gpubench/tok/tokenizer-qwen2_5-3.7.2 -o $f
  gguf="${gguf:+$gguf,}m-$q=$f"
done
ls -la /tmp/gpubench/$PRESET-*.gguf
budget=$(( LIMIT - SECONDS - 60 ))
echo "gpubench budget ${budget}s"
"$G/gpubench" -ollama "$OLLAMA_BIN" -gguf "$gguf" -port ${PORT:-11500} $GPUBENCH_FLAGS \
  -ctx "${CTX:-4096,8192,16384,32768}" -kv "${KV:-f16,q8_0}" -phases "${PHASES:-vram,fit,run}" \
  -corpus /tmp/gpubench/corpus.txt -hearth "$G/hearth" -template "$G/qwen2.5-tools.gotmpl" \
  -run-model "${RUN_MODEL:-m-q4_k_m}" -work /tmp/gpubench/work -out "$OUT" -budget ${budget}s > /dev/null 2> /tmp/gpubench/err.txt
rc=$?
tail -30 /tmp/gpubench/err.txt
grep -iE "offloaded|inference compute|model weights|kv cache|compute graph|flash" "$OUT/serve.log" | tail -12
echo "gpubench rc $rc"
cat "$OUT/summary.md" 2>/dev/null   # last, so the reply's output tail shows it whole

exit $rc
