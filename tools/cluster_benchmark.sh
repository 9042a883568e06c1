#!/usr/bin/env bash
# Wall time and peak memory of the shards of a sharded run on the one-host Slurm cluster
# (docs/cluster.md#a-1-tile-measured-and-vietnam-extrapolated).
#
#   tools/cluster_benchmark.sh SCENARIO.toml OUTDIR [--shard-px N] [--shards LIST] [--merge]
#
# Runs `phusong shard`, starts the two-node cluster (tools/slurm_cluster.sh, root), submits the array
# (LIST: Slurm's --array syntax, e.g. 5,6 or 0-15; default all shards) with every task's binary under
# GNU time, waits, and prints per shard: node, owned pixels, sites read, wall and CPU time, peak memory;
# then the array's wall time. With --merge (all shards only), the merge job too. Stops the cluster.
# The binary is build/release's when built, else build/default's (PHUSONG_BIN overrides).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 SCENARIO.toml OUTDIR [--shard-px N] [--shards LIST] [--merge]" >&2; exit 2; }
scenario=$(realpath "$1"); out=$(realpath -m "$2"); shift 2
shard_px=""; list=""; merge=0
while [ $# -gt 0 ]; do
  case $1 in
    --shard-px) shard_px=$2; shift 2 ;;
    --shards) list=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bin=${PHUSONG_BIN:-}
if [ -z "$bin" ]; then
  bin=$here/build/release/src/cli/phusong; [ -x "$bin" ] || bin=$here/build/default/src/cli/phusong
fi
bin=$(realpath "$bin")
el() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

mkdir -p "$out"
run=$out/run
"$bin" shard "$scenario" --out "$run" --overwrite ${shard_px:+--shard-px "$shard_px"}
n=$(/usr/bin/python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["shards"]))' "$run/shards.json")
: "${list:=0-$((n - 1))}"

"$here/tools/slurm_cluster.sh" start "$out/cluster"
trap '"$here/tools/slurm_cluster.sh" stop "$out/cluster"' EXIT
# shellcheck disable=SC1091
source "$out/cluster/env"
mkdir -p "$out/time" "$out/log"
cat >"$out/phusong" <<WRAP
#!/usr/bin/env bash
# $bin under GNU time, one report per task and attempt
exec /usr/bin/time -v -o "$out/time/shard_\${SLURM_ARRAY_TASK_ID}_\${SLURMD_NODENAME}_\$\$.txt" "$bin" "\$@"
WRAP
chmod 755 "$out/phusong"
sed "s|$bin|$out/phusong|g" "$run/slurm/shard.sbatch" >"$out/shard.sbatch"

T=$(date +%s.%N)
jid=$(sbatch --parsable --requeue --array="$list" --cpus-per-task=1 --output="$out/log/shard_%A_%a.out" "$out/shard.sbatch")
while [ -n "$(squeue -h -j "$jid" -o %i)" ]; do sleep 2; done
array_s=$(el "$T")
if [ "$merge" -eq 1 ]; then
  T=$(date +%s.%N)
  mid=$(sbatch --parsable --cpus-per-task=1 --output="$out/log/merge_%j.out" \
        --wrap "exec /usr/bin/time -v -o $out/time/merge.txt bash $run/slurm/merge.sbatch")
  while [ -n "$(squeue -h -j "$mid" -o %i)" ]; do sleep 2; done
  echo "merge job: $(el "$T") s"
fi

/usr/bin/python3 - "$run/shards.json" "$out/time" <<'PY'
import glob, json, os, re, sys
plan = json.load(open(sys.argv[1]))
print(f"{'shard':>5}  {'node':<5}  {'owned px':>10}  {'sites':>5}  {'wall s':>7}  {'CPU s':>7}  {'peak RSS MB':>11}")
for f in sorted(glob.glob(os.path.join(sys.argv[2], "shard_*.txt")), key=lambda p: int(p.split("_")[-3])):
    k, node = int(f.split("_")[-3]), f.split("_")[-2]
    t = open(f).read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
    secs = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
    cpu = sum(float(re.search(rf"{w} time \(seconds\): ([\d.]+)", t).group(1)) for w in ("User", "System"))
    s = plan["shards"][k]
    owned = s.get("owned", {})
    px = owned.get("cols", 0) * owned.get("rows", 0)
    print(f"{k:>5}  {node:<5}  {px:>10}  {len(s.get('sites', [])):>5}  {secs:>7.1f}  {cpu:>7.1f}  {rss:>11.0f}")
m = os.path.join(sys.argv[2], "merge.txt")
if os.path.exists(m):
    t = open(m).read()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
    status = re.search(r"Exit status: (\d+)", t).group(1)
    print(f"merge: peak RSS {rss:.0f} MB, exit status {status}")
PY
echo "array of shards $list on 2 one-CPU nodes: $array_s s"
