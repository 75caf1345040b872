#!/usr/bin/env bash
# Runs on the GPU machine after build-cuda.sh: a random-weight model of
# Qwen2.5-Coder-7B's exact shape at Q8_0 and Q4_K_M, loaded at num_ctx 4K-32K,
# with /api/ps, nvidia-smi and the load time recorded in $OUT/results.jsonl.
R=$PWD
BUILD_SECS=500 bash .cache/gpu/build-cuda.sh > $OUT/build-again.log 2>&1
W=/tmp/o; cd $W
export OLLAMA_MODELS=/tmp/om HOME=/tmp/oh OLLAMA_HOST=127.0.0.1:11500 OLLAMA_NOPRUNE=1
mkdir -p /tmp/tok /tmp/om /tmp/oh && tar -C /tmp/tok -xJf $R/.cache/gpu/tokenizer.tar.xz
for q in ${QUANTS:-q8_0 q4_k_m}; do
  [ -f /tmp/$q.gguf ] || { /usr/bin/time -f "mkgguf $q %es" $R/.cache/gpu/mkgguf -preset qwen2.5-coder-7b -weights $q -tokenizer /tmp/tok/tokenizer-qwen2_5-3.7.2 -o /tmp/$q.gguf; }
done
ls -la /tmp/*.gguf
./ollama serve > $OUT/serve.log 2>&1 &
for i in $(seq 50); do curl -s 127.0.0.1:11500/api/version >/dev/null && break; sleep 0.2; done
base=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits)
echo "baseline used MiB $base"
for q in ${QUANTS:-q8_0 q4_k_m}; do
  printf 'FROM /tmp/%s.gguf\n' $q > /tmp/Modelfile.$q
  ./ollama create m-$q -f /tmp/Modelfile.$q > /dev/null 2>&1 || { echo "create $q failed"; continue; }
  for ctx in 4096 8192 16384 32768; do
    t0=$(date +%s.%N)
    gen=$(curl -s 127.0.0.1:11500/api/generate -d "{\"model\":\"m-$q\",\"prompt\":\"hello there\",\"raw\":true,\"stream\":false,\"keep_alive\":\"5m\",\"options\":{\"num_ctx\":$ctx,\"num_predict\":16}}")
    t1=$(date +%s.%N)
    ps=$(curl -s 127.0.0.1:11500/api/ps)
    used=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits)
    echo "{\"quant\":\"$q\",\"numCtx\":$ctx,\"wall\":$(python3 -c "print($t1 - $t0)"),\"smiUsedMiB\":$used,\"baseMiB\":$base,\"ps\":$ps,\"gen\":$(echo "$gen" | head -c 2000)}" >> $OUT/results.jsonl
    echo "$q ctx=$ctx used=$used MiB ps=$(echo $ps | head -c 300)"
    curl -s 127.0.0.1:11500/api/generate -d "{\"model\":\"m-$q\",\"keep_alive\":0}" > /dev/null
    for i in $(seq 50); do [ "$(curl -s 127.0.0.1:11500/api/ps)" = '{"models":[]}' ] && break; sleep 0.2; done
  done
done
grep -iE "offload|inference compute|library=|model weights|kv cache|compute graph|total memory" $OUT/serve.log | head -30
