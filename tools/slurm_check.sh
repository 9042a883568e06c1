#!/usr/bin/env bash
# The one-host cluster check (docs/cluster.md): a sharded run through Slurm, with faults, gives the
# same answer as a single run.
#
#   tools/slurm_check.sh [--phusong BIN] [--scenario FILE] [--shard-px N] [--limit-s S] [--keep]
#
# 1. a single `phusong run` of the scenario (default: the tiny fixture with the 5G plan enabled);
# 2. a two-node Slurm cluster on this host (tools/slurm_cluster.sh), `phusong shard` (at least 4 shards)
#    and its job array, submitted through a test wrapper of the binary (the product carries no test hook):
#    - one shard exits 1 on its first attempt, and is requeued (`scontrol requeue`) once the array is done;
#    - the first shard to start on node2 is frozen (SIGSTOP) while it has a file of the run open for
#      writing, then node2's slurmd, the task's slurmstepd and every process of the task are killed
#      (SIGKILL): a machine dying mid-write. A merge tried then must refuse (exit 3, naming that shard,
#      nothing written); Slurm must requeue the task by itself and run it on node1; node2 then comes back;
# 3. the merge job (the generated merge script) and a comparison of its folder with the single run: the
#    same files, and every raster, table, GeoJSON and style byte for byte;
# 4. per-shard wall time and peak memory (GNU time), `N passed, N failed`, exit 1 on any failure.
# Every wait is bounded by --limit-s (default 300 s: the tiny fixture needs seconds; give a province more).
# Exit 77 (skipped) when not root (slurmd needs root) or when PHUSONG_SKIP_SLURM is set.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/build/default/src/cli/phusong
scenario=""
shard_px=""
keep=0
limit=300
while [ $# -gt 0 ]; do
  case $1 in
    --phusong) bin=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    --shard-px) shard_px=$2; shift 2 ;;
    --limit-s) limit=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--phusong BIN] [--scenario FILE] [--shard-px N] [--limit-s S] [--keep]" >&2; exit 2 ;;
  esac
done
say() { echo "slurm_check: $*"; }
if [ -n "${PHUSONG_SKIP_SLURM:-}" ]; then say "skipped: PHUSONG_SKIP_SLURM is set"; exit 77; fi
if [ "$(id -u)" -ne 0 ]; then say "skipped: needs root (slurmd starts jobs as their user); CI runs it as root"; exit 77; fi
[ -x "$bin" ] || { say "no phusong binary at $bin: build first (cmake --build --preset default)"; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

T0=$(date +%s.%N)
el() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
W=$(mktemp -d /tmp/phusong_slurm_check.XXXXXX)
chmod 755 "$W"
run=$W/run        # the sharded run: shards.json, slurm/, shards/K/, merged/
faults=$W/faults  # the wrapper's markers and per-attempt log
mkdir -p "$faults" "$W/log"
pass=0; fail=0
check() {  # check NAME COMMAND…: one line, ok or FAIL
  if "${@:2}"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}
finish() {
  local rc=$?
  "$here/tools/slurm_cluster.sh" stop "$W/cluster" 2>&1 | sed 's/^/  /'
  echo "$pass passed, $fail failed ($(el "$T0") s)"
  if [ "$fail" -eq 0 ] && [ "$rc" -eq 0 ] && [ "$keep" -eq 0 ]; then rm -rf "$W"; else say "kept $W"; fi
  [ "$fail" -eq 0 ] && exit "$rc"
  exit 1
}
trap finish EXIT
abort() { fail=$((fail + 1)); echo "FAIL $*"; exit 1; }

# --- the scenario ----------------------------------------------------------------------------------
if [ -z "$scenario" ]; then
  # The tiny fixture (tests/data/tiny) with the 5G plan, as the CLI test of the plan sets it up.
  mkdir -p "$W/scenario"; cp "$here"/tests/data/tiny/* "$W/scenario/"
  scenario=$W/scenario/tiny.toml
  cat >>"$scenario" <<'TOML'

[prediction.band.n78]
model = "tr38901_uma"

[antennas.nr_mmimo_64t64r]
gain_dbi = 24
h_beamwidth_deg = 65
v_beamwidth_deg = 6
front_to_back_db = 25
side_lobe_db = 20

[plan]
enabled = true
greenfield_spacing_m = 1000
ilp_budgets = [1, 2]
TOML
  : "${shard_px:=64}"
fi
scenario=$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")

T=$(date +%s.%N)
"$bin" --quiet run "$scenario" -o "$W/single" >"$W/log/single.out" 2>&1 || abort "single run (see $W/log/single.out)"
say "single run: $(el "$T") s"

# --- the cluster and the shard plan ----------------------------------------------------------------
T=$(date +%s.%N)
"$here/tools/slurm_cluster.sh" start "$W/cluster" || abort "cluster start"
# shellcheck disable=SC1091
source "$W/cluster/env"
say "cluster up (with any install): $(el "$T") s"
check "two nodes idle" test "$(sinfo -h -N -o '%N %T' | sort | tr '\n' ' ')" = "node1 idle node2 idle "

"$bin" shard "$scenario" --out "$run" ${shard_px:+--shard-px "$shard_px"} >"$W/log/shard.out" 2>&1 \
  || abort "phusong shard (see $W/log/shard.out)"
n=$(/usr/bin/python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["shards"]))' "$run/shards.json") \
  || abort "shards.json has no list of shards"
check "at least 4 shards ($n)" test "$n" -ge 4
check "shard printed the sbatch commands" grep -q sbatch "$W/log/shard.out"
for f in shard.sbatch merge.sbatch; do [ -s "$run/slurm/$f" ] || abort "no $run/slurm/$f"; done
grep -qF "$bin" "$run/slurm/shard.sbatch" || abort "shard.sbatch does not name $bin: the wrapper cannot be put in"

# --- the test wrapper: faults on the first attempts, GNU time on every attempt -----------------------
fail_k=$((n > 1 ? 1 : 0))
cat >"$faults/phusong" <<WRAP
#!/usr/bin/env bash
# Test wrapper of $bin for slurm_check.sh: never part of the product.
task=\${SLURM_ARRAY_TASK_ID:-none}
node=\${SLURMD_NODENAME:-none}
echo "task=\$task node=\$node pid=\$\$ start=\$(date +%s.%N)" >>"$faults/attempts.log"
if [ "\$task" = "$fail_k" ] && mkdir "$faults/failed_once" 2>/dev/null; then
  echo "slurm_check wrapper: injected failure of shard \$task on \$node" >&2; exit 1
fi
if [ "\$node" = node2 ] && mkdir "$faults/freeze" 2>/dev/null; then
  echo "\$task" >"$faults/freeze/task"; echo \$\$ >"$faults/freeze/wrapper.pid"
  exec /usr/bin/python3 "$faults/freeze.py" "$faults/freeze" "$run" "$bin" "\$@"
fi
exec /usr/bin/time -f "%e %M" -o "$faults/time_\${task}_\$\$" "$bin" "\$@"
WRAP
cat >"$faults/freeze.py" <<'PY'
# Runs phusong and stops it (SIGSTOP) as soon as it holds a file under the run folder open for writing.
import os, signal, subprocess, sys, time
marks, run, cmd = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3:]
p = subprocess.Popen(cmd)
open(os.path.join(marks, "phusong.pid"), "w").write(f"{p.pid}\n")
def writing():
    fds = f"/proc/{p.pid}/fd"
    try:
        for fd in os.listdir(fds):
            target = os.readlink(os.path.join(fds, fd))
            flags = int(open(f"/proc/{p.pid}/fdinfo/{fd}").read().split("flags:")[1].split()[0], 8)
            if target.startswith(run + "/") and flags & (os.O_WRONLY | os.O_RDWR):
                return target
    except (FileNotFoundError, ProcessLookupError, IndexError):
        pass
    return None
while p.poll() is None:
    target = writing()
    if target:
        os.kill(p.pid, signal.SIGSTOP)
        open(os.path.join(marks, "stopped"), "w").write(target + "\n")
        p.wait()  # until killed with the node
        sys.exit(1)
    time.sleep(0.002)
open(os.path.join(marks, "missed"), "w").write(f"exit {p.returncode}\n")
sys.exit(p.returncode)
PY
chmod 755 "$faults/phusong"
sed "s|$bin|$faults/phusong|g" "$run/slurm/shard.sbatch" >"$faults/shard.sbatch"

squeue_empty() { [ -z "$(squeue -h -j "$1" -o %i 2>/dev/null)" ]; }
wait_job() {  # wait_job JOBID SECONDS
  local i; for i in $(seq 1 $(($2 * 2))); do squeue_empty "$1" && return 0; sleep 0.5; done
  squeue -j "$1" >&2; return 1
}
descendants() { local c; for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done; }
stepd_of() {  # the slurmstepd above pid $1
  local p=$1; while [ -n "$p" ] && [ "$p" -gt 1 ]; do
    [ "$(cat /proc/"$p"/comm 2>/dev/null)" = slurmstepd ] && { echo "$p"; return 0; }
    p=$(awk '{print $4}' /proc/"$p"/stat 2>/dev/null)
  done; return 1
}
attempts() { grep -c "^task=$1 " "$faults/attempts.log" 2>/dev/null; }

# --- the array, with a machine dying mid-write ------------------------------------------------------
T=$(date +%s.%N)
jid=$(sbatch --parsable --requeue --array=0-$((n - 1)) --cpus-per-task=1 \
  --output="$W/log/shard_%A_%a.out" --open-mode=append "$faults/shard.sbatch") || abort "sbatch of the array"
say "array job $jid: $n shards on node1 and node2"
for i in $(seq 1 $((limit * 4))); do [ -e "$faults/freeze/stopped" ] || [ -e "$faults/freeze/missed" ] && break; sleep 0.25; done
[ -e "$faults/freeze/stopped" ] || abort "no shard was caught writing on node2 ($(ls "$faults/freeze" 2>/dev/null | tr '\n' ' '))"
kk=$(cat "$faults/freeze/task")
stepd=$(stepd_of "$(cat "$faults/freeze/wrapper.pid")") || abort "no slurmstepd above the frozen shard"
victims="$(cat "$W/cluster/run/slurmd-node2.pid") $stepd $(descendants "$stepd" | tr '\n' ' ')"
kill -KILL $victims
T_KILL=$(date +%s.%N)
say "shard $kk frozen writing $(cat "$faults/freeze/stopped"); killed node2's slurmd, slurmstepd and the task: $victims"
"$bin" --quiet merge "$run" -o "$W/premature" >"$W/log/premature.out" 2>&1; rc=$?
check "merge with shard $kk killed mid-write: exit 3" test "$rc" -eq 3
check "... naming shard $kk" grep -qE "shards/$kk: shard $kk " "$W/log/premature.out"
check "... nothing written" test ! -e "$W/premature"
detected=""
for i in $(seq 1 $((limit * 2))); do
  grep -q "requeue job JobId=${jid}_$kk(.*due to failure of node node2" "$W/cluster/log/slurmctld.log" && { detected=$(el "$T_KILL"); break; }
  sleep 0.5
done
check "Slurm requeued shard $kk after node2 died (${detected:-not} s)" test -n "$detected"
for i in $(seq 1 $((limit * 2))); do [ "$(attempts "$kk")" -ge 2 ] && break; sleep 0.5; done
check "shard $kk ran again on node1" grep -q "^task=$kk node=node1 " "$faults/attempts.log"
/usr/sbin/slurmd -f "$SLURM_CONF" -N node2  # the machine comes back (ReturnToService=2)
wait_job "$jid" "$limit" || abort "array $jid not done in $limit s"

# --- the failed shard, requeued ---------------------------------------------------------------------
comp=$W/cluster/log/jobcomp.txt
failed=$(grep "ArrayJobId=$jid " "$comp" | grep "JobState=FAILED" | sed -n 's/.*ArrayTaskId=\([0-9]*\).*/\1/p' | sort -un | tr '\n' ' ')
check "exactly shard $fail_k failed (injected): ${failed:-none}" test "$failed" = "$fail_k "
for t in $failed; do scontrol requeue "${jid}_$t"; done
sleep 1
wait_job "$jid" "$limit" || abort "requeued shards of $jid not done in $limit s"
last_state() { grep "ArrayJobId=$jid ArrayTaskId=$1 " "$comp" | tail -1 | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
done_ok=0; for k in $(seq 0 $((n - 1))); do [ "$(last_state "$k")" = COMPLETED ] && done_ok=$((done_ok + 1)); done
check "all $n shards completed ($done_ok)" test "$done_ok" -eq "$n"
say "array with both faults: $(el "$T") s"

# --- the merge job and the comparison ---------------------------------------------------------------
T=$(date +%s.%N)
mid=$(sbatch --parsable --cpus-per-task=1 --output="$W/log/merge_%j.out" "$run/slurm/merge.sbatch") || abort "sbatch of the merge"
wait_job "$mid" "$limit" || abort "merge job $mid not done in $limit s"
check "merge job completed" grep -q "JobId=$mid .*JobState=COMPLETED" "$comp"
say "merge job: $(el "$T") s"
merged=$run/merged
(cd "$W/single" && find . -type f | sort) >"$W/log/single.files"
(cd "$merged" 2>/dev/null && find . -type f | sort) >"$W/log/merged.files"
check "merged folder has the single run's files ($(wc -l <"$W/log/single.files"))" \
  cmp -s "$W/log/single.files" "$W/log/merged.files"
diff "$W/log/single.files" "$W/log/merged.files" | sed -n '1,20p'
compared=0; listed=""
while read -r f; do
  case $f in
    *.tif|*.csv|*.geojson|*.qml)
      compared=$((compared + 1))
      check "identical ${f#./}" cmp -s "$W/single/$f" "$merged/$f" ;;
    *) listed="$listed ${f#./}" ;;
  esac
done <"$W/log/single.files"
say "$compared files compared byte for byte; present only (timings, paths or SQLite pages differ):$listed"

# --- what each shard cost ---------------------------------------------------------------------------
echo "shard  nodes (each attempt)  wall_s  peak_rss_mb"
for k in $(seq 0 $((n - 1))); do
  nodes=$(grep "^task=$k " "$faults/attempts.log" | sed 's/.*node=\([^ ]*\).*/\1/' | paste -sd,)
  t=$(ls -t "$faults"/time_"$k"_* 2>/dev/null | head -1)
  [ -n "$t" ] && read -r wall rss <"$t" || { wall=-; rss=0; }
  printf "%5s  %-21s  %6s  %11s\n" "$k" "$nodes" "$wall" "$((rss / 1024))"
done
