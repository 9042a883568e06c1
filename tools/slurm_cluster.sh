#!/usr/bin/env bash
# A Slurm cluster of two nodes on this one host, for tests and trials (docs/cluster.md).
#
#   tools/slurm_cluster.sh start  WORKDIR   install what is missing, start munged, slurmctld, slurmd node1 and node2
#   tools/slurm_cluster.sh status WORKDIR   the daemons, the nodes (sinfo) and the queue (squeue)
#   tools/slurm_cluster.sh stop   WORKDIR   cancel the cluster's jobs, stop every daemon it started
#
# Then `source WORKDIR/env` points sbatch, squeue, scontrol … at it (SLURM_CONF).
#
# Everything lives in WORKDIR: slurm.conf, a munge key and socket of its own, state, spools, pid files,
# logs and the completion log (jobcomp.txt, in place of sacct, which needs slurmdbd). Nothing is written
# under /etc except what the packages install, and no system service is touched, so it runs without
# systemd (a container) and beside another such cluster: the ports are chosen free at start.
# Two slurmd on one host work because Debian's build has MULTIPLE_SLURMD (each `slurmd -N nodeX` has its
# own port, spool, pid and log through %n; slurm.conf(5) "NodeName", "SlurmdSpoolDir").
# slurmd must run as root: as another user, `start` says so and exits 77 (the ctest/automake "skipped").
# Timeouts are short so that faults show within seconds (slurm.conf(5)): a node silent for SlurmdTimeout=10 s
# is DOWN and its jobs requeued, a requeued job waits cred_expire=10 s (default 120 s) before it starts
# again, the backfill scheduler runs every 5 s, and a node whose slurmd comes back returns to service
# (ReturnToService=2).
set -euo pipefail

usage() { echo "usage: $0 start|stop|status WORKDIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
case $action in start|stop|status) ;; *) usage ;; esac
work=$(realpath -m "$2")
here=$(cd "$(dirname "$0")/.." && pwd)
nodes=(node1 node2)
conf=$work/slurm.conf
msock=$work/munge/munge.socket

log() { echo "slurm_cluster: $*" >&2; }

# Daemons by pid file: slurmd first (a slurmd that has lost slurmctld or munge may hang on TERM),
# munged last. TERM, then KILL whatever is still alive after 10 s.
daemon_pidfiles() {
  local n; for n in "${nodes[@]}"; do echo "$work/run/slurmd-$n.pid"; done
  echo "$work/run/slurmctld.pid"; echo "$work/munge/munged.pid"
}

alive_pid() {  # the pid in file $1 if that process is alive
  local p; [ -s "$1" ] || return 1; p=$(cat "$1"); kill -0 "$p" 2>/dev/null && echo "$p"
}

stop_cluster() {
  if [ -f "$conf" ] && alive_pid "$work/run/slurmctld.pid" >/dev/null; then
    # Jobs first, so that no slurmstepd of this cluster outlives its slurmd.
    SLURM_CONF=$conf scancel --quiet --full $(SLURM_CONF=$conf squeue -h -o %A 2>/dev/null | sort -u) 2>/dev/null || true
    local i; for i in $(seq 1 30); do
      [ -z "$(SLURM_CONF=$conf squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.5
    done
  fi
  local f p pids=() alive=()
  for f in $(daemon_pidfiles); do p=$(alive_pid "$f") && { kill -TERM "$p"; pids+=("$p"); }; done
  for i in $(seq 1 20); do
    alive=(); for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
    [ ${#alive[@]} -eq 0 ] && break; sleep 0.5
  done
  if [ ${#alive[@]} -gt 0 ]; then log "killing (no exit 10 s after TERM): ${alive[*]}"; kill -KILL "${alive[@]}" 2>/dev/null || true; fi
  log "stopped${pids[*]:+: pids ${pids[*]}}"
}

status_cluster() {
  local f p
  for f in $(daemon_pidfiles); do
    if p=$(alive_pid "$f"); then echo "$(basename "$f" .pid) running (pid $p)"; else echo "$(basename "$f" .pid) not running"; fi
  done
  [ -f "$conf" ] || return 0
  SLURM_CONF=$conf sinfo -N -h -o '%N %T' 2>/dev/null | sed 's/^/node /' || true
  SLURM_CONF=$conf squeue -h -o 'job %i %T %N' 2>/dev/null || true
}

free_ports() {  # $1 free TCP ports on 127.0.0.1, as chosen by the kernel
  /usr/bin/python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

start_cluster() {
  if [ "$(id -u)" -ne 0 ]; then
    log "slurmd needs root (it starts jobs as their user): run as root, e.g. in the CI container; skipped"
    exit 77
  fi
  mkdir -p "$work"
  for f in $(daemon_pidfiles); do
    if alive_pid "$f" >/dev/null; then log "a cluster is already running in $work ($f): stop it first"; exit 1; fi
  done
  "$here/tools/setup.sh" slurm-wlm munge time procps  # procps: pgrep, for the check

  # munged runs as the munge user and checks that its folders are its own, not writable by others,
  # and that every user can reach its socket.
  mkdir -p "$work"/{state,run,log,munge} "${nodes[@]/#/$work/spool/}"
  chmod 755 "$work"
  chown munge:munge "$work/munge"; chmod 755 "$work/munge"  # clients need to reach the socket
  [ -s "$work/munge/munge.key" ] || runuser -u munge -- mungekey --create --keyfile="$work/munge/munge.key"
  runuser -u munge -- munged --socket="$msock" --key-file="$work/munge/munge.key" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"
  # Slurm spins on authentication errors when munge does not work: check it first.
  if ! munge --socket="$msock" -n | unmunge --socket="$msock" >/dev/null; then
    log "munge does not work (munge -n | unmunge): see $work/munge/munged.log"; stop_cluster; exit 1
  fi

  local ports mem_mb
  read -r -a ports <<<"$(free_ports $((1 + ${#nodes[@]})))"
  # Each node offers one CPU and half the host's memory (a slurmd reporting less than its node's
  # RealMemory would be drained).
  mem_mb=$(awk '/^MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)
  {
    cat <<CONF
# A two-node cluster on one host, written by tools/slurm_cluster.sh (docs/cluster.md).
ClusterName=phusong
SlurmctldHost=localhost
SlurmctldPort=${ports[0]}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$msock,cred_expire=10
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$work/log/jobcomp.txt
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=5
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdTimeout=10
MinJobAge=300
KillWait=5
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool/%n
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd-%n.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd-%n.log
CONF
    local i
    for i in "${!nodes[@]}"; do
      echo "NodeName=${nodes[$i]} NodeHostname=localhost NodeAddr=127.0.0.1 Port=${ports[$((i + 1))]} CPUs=1 RealMemory=$mem_mb State=UNKNOWN"
    done
    echo "PartitionName=shards Nodes=node[1-${#nodes[@]}] Default=YES MaxTime=INFINITE State=UP"
  } >"$conf"
  echo "export SLURM_CONF=$conf" >"$work/env"

  /usr/sbin/slurmctld -f "$conf"
  local n; for n in "${nodes[@]}"; do /usr/sbin/slurmd -f "$conf" -N "$n"; done
  for i in $(seq 1 100); do
    [ "$(SLURM_CONF=$conf sinfo -h -o '%T' 2>/dev/null | sort -u)" = idle ] && break; sleep 0.2
  done
  if [ "$(SLURM_CONF=$conf sinfo -h -o '%T' 2>/dev/null | sort -u)" != idle ]; then
    log "the nodes are not idle 20 s after start:"; SLURM_CONF=$conf sinfo -N >&2 || true
    stop_cluster; exit 1
  fi
  log "up: slurmctld on port ${ports[0]}, ${nodes[*]} on ports ${ports[*]:1}; source $work/env"
}

case $action in
  start) start_cluster ;;
  stop) stop_cluster ;;
  status) status_cluster ;;
esac
