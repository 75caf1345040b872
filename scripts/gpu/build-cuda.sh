#!/usr/bin/env bash
# Runs on the GPU machine (carry .cache/gpu, made by scripts/gpu/prepare.sh):
# builds ggml's CUDA backend from the ollama module's sources for this card only,
# into /tmp/o/build/lib/ollama, where the carried ollama binary (copied to
# /tmp/o) finds it (ml.LibOllamaPath: <exe dir>/build/lib/ollama). Measured on
# an H200 with CUDA 13.0 and 16 cores: 2 min 9 s. Idempotent while warm.
# Its logs go to $LOGS (default $OUT, which comes back; measure.sh keeps
# them in /tmp so $OUT holds only the results).
set -x
W=/tmp/o; mkdir -p $W
L=${LOGS:-$OUT}; mkdir -p "$L"
[ -f $W/CMakeLists.txt ] || tar -C $W -xJf .cache/gpu/ggml-src.tar.xz
cp -n .cache/gpu/ollama $W/ 2>/dev/null
nvcc --version | tail -2; cmake --version | head -1; ninja --version; nproc
cd $W
[ -f build/build.ninja ] || cmake -B build -G Ninja -DCMAKE_CUDA_ARCHITECTURES=90 -DGGML_CUDA_FA_ALL_QUANTS=OFF > $L/cmake.log 2>&1
tail -15 $L/cmake.log
time timeout ${BUILD_SECS:-540} cmake --build build --target ggml-cuda -j16 > $L/build.log 2>&1; echo "build rc $?"
tail -5 $L/build.log
ls -la build/lib/ollama 2>&1 | head
