#!/usr/bin/env bash
# Run on a machine with an NVIDIA GPU (the device tool): compares what
# `hearth doctor --json` reads with nvidia-smi, idle and while another
# process holds 10 GiB. Writes its readings to $OUT (or ./gpu-check).
set -uo pipefail
out=${OUT:-gpu-check}; mkdir -p "$out"
hearth=${HEARTH:-bin/linux-x64/hearth}
q=name,memory.total,memory.used,memory.free
echo "== idle"
nvidia-smi --query-gpu=$q --format=csv,noheader,nounits | tee "$out/smi-idle.csv"
"$hearth" doctor --json > "$out/doctor-idle.json"; echo "doctor exit $?"
echo "== holding 10 GiB in another process"
nvcc -o /tmp/gpualloc tools/gpualloc/gpualloc.cu || exit 1
/tmp/gpualloc 10 40 & pid=$!
sleep 12
nvidia-smi --query-gpu=$q --format=csv,noheader,nounits | tee "$out/smi-held.csv"
nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits | tee "$out/smi-apps.csv"
"$hearth" doctor --json > "$out/doctor-held.json"; echo "doctor exit $?"
kill $pid; wait $pid 2>/dev/null
nvidia-smi --query-gpu=driver_version --format=csv,noheader | tee "$out/driver.txt"
python3 - "$out" <<'PY' || true
import json, sys, os
out = sys.argv[1]
for phase in ("idle", "held"):
    d = json.load(open(os.path.join(out, f"doctor-{phase}.json")))
    g = d["gpus"]
    smi = open(os.path.join(out, f"smi-{phase}.csv")).read().split(",")
    print(phase, "source", g.get("source"), "devices", [(x["name"], x["totalBytes"]>>20, x["usedBytes"]>>20, x.get("freeBytes", 0)>>20) for x in g["devices"]], "smi MiB", [s.strip() for s in smi])
PY
