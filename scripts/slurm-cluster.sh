#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying and testing
# docs/slurm-sweep.sh with a real sbatch (make test-slurm).
#
#   scripts/slurm-cluster.sh install   Debian's slurmctld, slurmd, slurm-client and munge (apt-get, as root)
#   scripts/slurm-cluster.sh up        install when missing, write slurm.conf, start munged, slurmctld, slurmd
#   scripts/slurm-cluster.sh status    the daemons, the node and the queue
#   scripts/slurm-cluster.sh down      stop slurmd and slurmctld, and munged when 'up' started it
#
# The cluster: slurmctld and slurmd on this machine, one node named after
# `hostname -s` with the CPUs and memory that `slurmd -C` reads off it, one
# partition 'debug', no accounting database (so no sacct: 'scontrol show job'
# tells a finished job's state for MinJobAge seconds), proctrack/linuxproc
# and task/none (no cgroups), SlurmdUser root. Everything goes to the Debian
# packages' own places: /etc/slurm/slurm.conf (written only when absent or
# written by this script before), state under /var/lib/slurm, logs in
# /var/log/slurm/slurmctld.log and slurmd.log, munge's key in
# /etc/munge/munge.key. Where systemd runs, the daemons are its units;
# elsewhere (containers, small VMs) they are started by hand and 'down'
# stops them by their pid files. 'up' starts slurmctld with a clean state
# (no jobs from an earlier cluster). Needs root.
set -euo pipefail

CONF=${SLURM_CONF:-/etc/slurm/slurm.conf}
MARK="# written by sgdsde scripts/slurm-cluster.sh"
RUN_DIR=/run/sgdsde-slurm                # what 'up' started, for 'down'
CTLD_PID=/run/slurmctld.pid
SLURMD_PID=/run/slurmd.pid
MUNGE_PID=/run/munge/munged.pid
PACKAGES=(slurmctld slurmd slurm-client munge)

say() { echo "slurm-cluster: $*"; }
die() { echo "slurm-cluster: $*" >&2; exit 1; }

need_root() {
	[[ $(id -u) -eq 0 ]] || die "must run as root (it installs packages and starts daemons)"
}

have_systemd() { [[ -d /run/systemd/system ]]; }

installed() {
	command -v slurmctld >/dev/null && command -v slurmd >/dev/null &&
		command -v sbatch >/dev/null && command -v munged >/dev/null
}

install_packages() {
	need_root
	if installed; then
		return 0
	fi
	say "installing ${PACKAGES[*]} with apt-get"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
	installed || die "apt-get install ${PACKAGES[*]} did not install slurmctld, slurmd, sbatch and munged"
}

# alive PIDFILE: the process of the pid file runs.
alive() {
	[[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null
}

write_conf() {
	local host node
	host=$(hostname -s)
	if [[ -e $CONF ]] && ! grep -qxF "$MARK" "$CONF"; then
		die "$CONF exists and was not written by this script: not touching it (move it away, or set SLURM_CONF)"
	fi
	# The node as slurmd sees it: CPUs, sockets, cores, threads, RealMemory.
	node=$(slurmd -C | head -1)
	[[ $node == NodeName=* ]] || die "slurmd -C printed no node line: $node"
	node=${node#NodeName=* }
	mkdir -p "$(dirname "$CONF")"
	cat >"$CONF" <<EOF
$MARK
# A one-node cluster on $host ($(date -u +%Y-%m-%dT%H:%M:%SZ)).
ClusterName=sgdsde
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
# Start a job as soon as it is submitted or a CPU frees (the default waits up to 3 s).
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
ReturnToService=2
KillWait=5
MinJobAge=600
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 $node State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
	say "wrote $CONF (node $host: $node)"
}

start_munge() {
	if [[ ! -s /etc/munge/munge.key ]]; then
		mkdir -p /etc/munge
		mungekey --create --keyfile=/etc/munge/munge.key
		say "created /etc/munge/munge.key"
	fi
	chown munge:munge /etc/munge/munge.key
	chmod 0400 /etc/munge/munge.key
	if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
		return 0 # a munged already answers
	fi
	if have_systemd; then
		systemctl start munge
	else
		install -d -o munge -g munge -m 0755 /run/munge
		runuser -u munge -- /usr/sbin/munged
		touch "$RUN_DIR/munged"
	fi
	for _ in $(seq 50); do
		munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "munged does not answer (see /var/log/munge/munged.log)"
}

up() {
	need_root
	install_packages
	mkdir -p "$RUN_DIR"
	if alive "$CTLD_PID" || alive "$SLURMD_PID"; then
		die "slurmctld or slurmd already runs (scripts/slurm-cluster.sh down first)"
	fi
	write_conf
	start_munge
	install -d -o slurm -g slurm /var/lib/slurm/slurmctld /var/log/slurm
	install -d /var/lib/slurm/slurmd
	if have_systemd; then
		systemctl start slurmctld slurmd
	else
		# -c: a clean state, no jobs of an earlier cluster. Both fork into
		# the background and write their pid files.
		slurmctld -c
		slurmd
		touch "$RUN_DIR/slurm"
	fi
	local host state
	host=$(hostname -s)
	for _ in $(seq 150); do
		state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
		if [[ $state == idle || $state == mixed || $state == allocated ]]; then
			say "up: node $host $state; $(sinfo -h -o '%P %D nodes, %c CPUs, %m MB')"
			return 0
		fi
		sleep 0.2
	done
	tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
	die "node $host is not idle after 30 s (state '${state:-none}')"
}

# stop PIDFILE NAME: TERM the daemon of the pid file, wait for it and
# remove the pid file (slurmctld, no longer root, cannot; a stale
# /run/slurmctld.pid makes the package's prerm fail on apt-get remove).
stop() {
	local pid
	if ! alive "$1"; then
		rm -f "$1"
		return 0
	fi
	pid=$(cat "$1")
	kill "$pid"
	for _ in $(seq 100); do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$1"
			say "stopped $2 ($pid)"
			return 0
		fi
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$1"
	say "killed $2 ($pid) after 10 s"
}

down() {
	need_root
	if have_systemd && [[ ! -e $RUN_DIR/slurm ]]; then
		systemctl stop slurmd slurmctld 2>/dev/null || true
	else
		stop "$SLURMD_PID" slurmd
		stop "$CTLD_PID" slurmctld
	fi
	rm -f "$RUN_DIR/slurm"
	if [[ -e $RUN_DIR/munged ]]; then
		stop "$MUNGE_PID" munged
		rm -f "$RUN_DIR/munged"
	fi
}

status() {
	local rc=0 d f
	for d in slurmctld:$CTLD_PID slurmd:$SLURMD_PID munged:$MUNGE_PID; do
		f=${d#*:}
		if alive "$f"; then
			echo "${d%%:*}: running (pid $(cat "$f"))"
		else
			echo "${d%%:*}: not running"
			rc=1
		fi
	done
	if [[ $rc -eq 0 ]]; then
		sinfo -N -l
		squeue
	fi
	return $rc
}

case ${1:-} in
install) install_packages ;;
up) up ;;
down) down ;;
status) status ;;
*)
	echo "usage: $0 install|up|down|status" >&2
	exit 2
	;;
esac
