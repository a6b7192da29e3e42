#!/usr/bin/env bash
# Benchmark: a 1,000,000-cell sweep in local mode, Spark start-up and reports included.
# Prints cells per second, wall time and the driver's peak heap (GC log).  Usage: jobs/bench-sweep.sh [--traffic] [WORKDIR]
#   workloads: 40 catalog models x 10 hardware options x 25 sequence lengths x 50 batch sizes x 2 objectives
#   --traffic: 40 catalog models x 2,500 request rates x 10 hardware options, each cell the cheapest fleet within
#              p90 TTFT 2 s and TPOT 50 ms (analytic; the report simulates each model's recommended fleets)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=workload
if [ "${1:-}" = "--traffic" ]; then mode=traffic; shift; fi
work=${1:-target/bench-sweep-$mode}
mkdir -p "$work"
python3 - "$work/spec.json" "$mode" <<'PY'
import json, sys
models = ["meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-13b-hf", "meta-llama/Llama-2-70b-hf",
          "meta-llama/Meta-Llama-3-8B-Instruct", "meta-llama/Meta-Llama-3-70B-Instruct", "meta-llama/Llama-3.1-8B-Instruct",
          "meta-llama/Llama-3.1-70B-Instruct", "meta-llama/Llama-3.1-405B-Instruct", "meta-llama/Llama-3.2-1B-Instruct",
          "meta-llama/Llama-3.2-3B-Instruct", "meta-llama/Llama-3.3-70B-Instruct", "mistralai/Mistral-7B-Instruct-v0.3",
          "mistralai/Mistral-Nemo-Instruct-2407", "mistralai/Mixtral-8x7B-Instruct-v0.1", "mistralai/Mixtral-8x22B-Instruct-v0.1",
          "Qwen/Qwen2.5-0.5B-Instruct", "Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen2.5-14B-Instruct", "Qwen/Qwen2.5-32B-Instruct",
          "Qwen/Qwen2.5-72B-Instruct", "Qwen/Qwen2.5-72B-Instruct-AWQ", "Qwen/Qwen1.5-MoE-A2.7B", "Qwen/Qwen3-4B", "Qwen/Qwen3-8B",
          "Qwen/Qwen3-14B", "Qwen/Qwen3-32B", "Qwen/Qwen3-30B-A3B", "Qwen/Qwen3-235B-A22B", "deepseek-ai/DeepSeek-V2-Lite",
          "deepseek-ai/DeepSeek-V3", "google/gemma-2-9b", "google/gemma-3-27b-it", "google/gemma-3-1b-it", "microsoft/phi-4",
          "microsoft/Phi-3-mini-4k-instruct", "openai/gpt-oss-20b", "openai/gpt-oss-120b", "tiiuae/falcon-40b",
          "EleutherAI/gpt-neox-20b", "bigcode/starcoder"]
clusters = [{"name": f"{n} x 8 {g}", "gpu": g, "gpus_per_node": 8, "nodes": n}
            for g, n in [("H100", 1), ("H100", 2), ("H200", 1), ("B200", 1), ("A100-80GB", 1), ("A100-40GB", 1),
                         ("L40S", 1), ("L4", 1), ("MI300X", 1), ("A10G", 1)]]
if sys.argv[2] == "traffic":
    # No "nodes": the planner sizes each fleet to its demand (a node count would cap it).
    spec = {"name": "Benchmark: 1,000,000 traffic cells", "models": models,
            "clusters": [{"name": c["gpu"] + " nodes of 8", "gpu": c["gpu"], "gpus_per_node": 8}
                         for c in clusters if c["nodes"] == 1] + [{"name": "H100 nodes of 4", "gpu": "H100", "gpus_per_node": 4}],
            "traffic": {"request_rates": [round(0.1 * i, 1) for i in range(1, 2501)], "input_tokens": 2048, "output_tokens": 512},
            "slo": {"ttft_ms": 2000, "tpot_ms": 50, "percentile": 90}, "max_configs": 1}
else:
    spec = {"name": "Benchmark: 1,000,000 cells", "models": models, "clusters": clusters,
            "sequence_lengths": [256 * i for i in range(1, 26)], "batch_sizes": list(range(1, 51)),
            "objectives": ["minimize_gpus", "maximize_batch"], "max_configs": 1}
json.dump(spec, open(sys.argv[1], "w"), indent=1)
PY
jobs/build-classpath.sh
export SPARK_LOCAL_IP=127.0.0.1
start=$(date +%s.%N)
SWEEP_JAVA_OPTS="-Xlog:gc:file=$work/gc.log:uptime" jobs/sweep.sh "$work/spec.json" "$work/out"
end=$(date +%s.%N)
python3 - "$work" "$start" "$end" <<'PY'
import json, re, sys
work, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
summary = json.load(open(f"{work}/out/summary.json"))
peak = 0
for line in open(f"{work}/gc.log"):
    m = re.search(r"(\d+)M->(\d+)M\((\d+)M\)", line)
    if m:
        peak = max(peak, int(m.group(1)))
wall = end - start
print(f"cells {summary['cells']:,} ({summary['result_cells']:,} with results, {summary['failed_cells']:,} failed), rows {summary['rows']:,}")
print(f"wall time {wall:.1f} s (job {summary['seconds']:.1f} s), {summary['cells'] / wall:,.0f} cells/s overall")
print(f"driver peak heap (GC log, before collection) {peak:,} MiB of the 4 GiB given")
PY
