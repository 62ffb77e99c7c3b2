# shellcheck shell=dash
# hostile.sh: the hostile-VM lab of bench/hostile.sh and
# tests/integration/t_hostile.sh, sourced after lab.sh (lab_init done).
#
#   ${LAB}hv   the hypervisor: vrouter-hostd and bench/hostile (which
#              plays QEMU for every VM and watches the routes); the uplink
#              eth0 <-> ${LAB}up eth0, one tap t-NAME per VM
#   ${LAB}vm   the VMs' ends of the taps, v-NAME
#
# A VM is named after its role (honest, flood, floodr, bait, refuse,
# garbage) and registered for one address of its own (hl_addr).  Each run
# (hl_start) gets a directory, a registration dir, a fresh hostd whose
# stderr goes through a FIFO into `hostile logcount` (which keeps only
# HL_LOG_CAP bytes on disk but counts every line), and one hostile process
# for all the VMs.  Set HL_BIN (build dir) before use.

HL_ROLES="honest flood floodr bait refuse garbage"
HL_LOG_CAP=${HL_LOG_CAP:-1048576}

# hl_addr NAME: the address registered for VM NAME.
hl_addr()
{
	case $1 in
	honest)		echo 203.0.113.10 ;;
	flood)		echo 203.0.113.20 ;;
	floodr)		echo 203.0.113.21 ;;
	bait)		echo 203.0.113.22 ;;
	refuse)		echo 203.0.113.23 ;;
	garbage)	echo 203.0.113.24 ;;
	*)		return 1 ;;
	esac
}

# hl_topo: the namespaces, the uplink and one tap per role.
hl_topo()
{
	local r
	# hostd may read the channels in an unprivileged child: let it reach
	# the sockets (hostile makes them 0666).
	chmod 711 "$LAB_DIR" || return 1
	lab_ns hv && lab_ns up && lab_ns vm || return 1
	lab_veth hv eth0 up eth0 || return 1
	lab_exec hv ip addr add 198.51.100.11/24 dev eth0 || return 1
	lab_exec up ip addr add 198.51.100.1/24 dev eth0 || return 1
	for r in $HL_ROLES; do
		lab_veth hv "t-$r" vm "v-$r" || return 1
	done
}

# hl_rss PID: VmRSS in KiB summed over PID and all its descendants (the
# new hostd forks an unprivileged child); empty if PID is gone.
hl_rss()
{
	ps -e -o pid=,ppid=,rss= 2>/dev/null | awk -v root="$1" '
		{ pp[$1] = $2; rss[$1] = $3 }
		END {
			if (!(root in rss)) exit
			for (p in rss) {
				q = p
				for (n = 0; n < 64 && q != "" && q != 0; n++) {
					if (q == root) { s += rss[p]; break }
					q = pp[q]
				}
			}
			print s + 0
		}'
}

# hl_hostd DIR NAMES...: start vrouter-hostd in ${LAB}hv for the VMs whose
# registrations are in DIR/reg, its log through a FIFO into logcount
# (DIR/log.count: the counts; DIR/hostd.log: the first HL_LOG_CAP bytes).
# Sets HL_HOSTD and HL_LC; returns once the control socket is there.
hl_hostd()
{
	local d="$1"
	shift
	mkfifo "$d/hostd.fifo" || return 1
	# shellcheck disable=SC2016
	lab_bg hv "$d/log.count" sh -c 'd=$1; shift
	    exec "$0" logcount "$@" <"$d/hostd.fifo"' "$HL_BIN/bench/hostile" \
	    "$d" "$HL_LOG_CAP" "$d/hostd.log" "$@" >/dev/null
	HL_LC=$LAB_PID
	# shellcheck disable=SC2086
	lab_bg hv "$d/hostd.fifo" "$HL_BIN/vrouter-hostd" -d -v -H hv \
	    -r "$d/reg" -s "$d/ctl" -S "$d/ro" -g 1000 ${HL_HOSTD_ARGS:-} \
	    >/dev/null
	HL_HOSTD=$LAB_PID
	lab_wait_for "hostd control socket" 5000 test -S "$d/ctl"
}

# hl_register DIR NAME: DIR/reg/NAME.json for VM NAME (channel DIR/NAME.sock).
hl_register()
{
	mkdir -p "$1/reg" || return 1
	printf '{"name":"%s","channel":"%s","tap":"t-%s","uplink":"eth0",%s}\n' \
	    "$2" "$1/$2.sock" "$2" "\"addresses\":[\"$(hl_addr "$2")\"]" \
	    >"$1/reg/$2.json"
}

# hl_start RUN SECS HOSTILE_OPTS NAMES...: a run called RUN in $LAB_DIR/RUN:
# register the VMs, start hostile (VM NAME plays role NAME; options
# HOSTILE_OPTS, word-split; $HL_DIR/done appears when the honest VM is
# done) and, once it listens, hostd.  Sets HL_DIR, HL_TOOL (hostile's
# output: $HL_DIR/tool.out), HL_HOSTD, HL_LC.
hl_start()
{
	local run="$1" secs="$2" opts="$3" n specs=
	shift 3
	HL_DIR=$LAB_DIR/$run
	mkdir -m 711 "$HL_DIR" || return 1
	for n in "$@"; do
		hl_register "$HL_DIR" "$n" || return 1
		specs="$specs $n:$n:$HL_DIR/$n.sock:$(hl_addr "$n")"
	done
	# shellcheck disable=SC2086
	lab_bg hv "$HL_DIR/tool.out" "$HL_BIN/bench/hostile" -M -U eth0 \
	    -L "$run" -R "$HL_DIR/ready" -D "$HL_DIR/done" -t "$secs" $opts \
	    $specs >/dev/null
	HL_TOOL=$LAB_PID
	lab_wait_for "hostile listening" 5000 test -e "$HL_DIR/ready" ||
	    return 1
	hl_hostd "$HL_DIR" "$@"
}

# hl_alive PID: true while a process the lab started runs.
hl_alive()
{
	local start
	start=$(lab__recorded "$1") || return 1
	lab__alive "$1" "$start"
}

# hl_watch SECS [HOOK...]: while hostile runs (at most SECS + 20 s),
# sample hostd's RSS every second; run HOOK (bounded!) once, as soon as
# the honest VM is done while the floods go on (hostile -z).  Sets
# HL_RSS_START (first sample), HL_RSS_MAX.
hl_watch()
{
	local end r hooked=
	end=$(($(date +%s) + $1 + 20))
	shift
	HL_RSS_START=$(hl_rss "$HL_HOSTD")
	HL_RSS_MAX=${HL_RSS_START:-0}
	while hl_alive "$HL_TOOL" && [ "$(date +%s)" -lt "$end" ]; do
		if [ $# -gt 0 ] && [ -z "$hooked" ] && [ -e "$HL_DIR/done" ]
		then
			hooked=1
			"$@"
		else
			sleep 1
		fi
		r=$(hl_rss "$HL_HOSTD")
		[ -n "$r" ] && [ "$r" -gt "$HL_RSS_MAX" ] && HL_RSS_MAX=$r
	done
	hl_alive "$HL_TOOL" && lab_stop "$HL_TOOL" 5000
	wait "$HL_TOOL" 2>/dev/null
}

# hl_stop: stop hostd (after hostile is done) and wait for logcount's
# figures.  HL_ALIVE is 1 if hostd was still running.
hl_stop()
{
	# shellcheck disable=SC2034 # read by the sourcing script
	HL_ALIVE=0
	# shellcheck disable=SC2034
	hl_alive "$HL_HOSTD" && HL_ALIVE=1
	lab_stop "$HL_HOSTD" 3000
	lab_wait_for "logcount figures" 5000 grep -q '^log lines=' \
	    "$HL_DIR/log.count"
	lab_stop "$HL_LC" 1000
}

# hl_get FILE KIND KEY [VM]: the value of KEY= on FILE's first line that
# starts with KIND (and names vm=VM); empty if none.
hl_get()
{
	awk -v kind="$2" -v key="$3" -v vm="${4:-}" '
		$1 != kind { next }
		vm != "" && index($0, " vm=" vm " ") == 0 { next }
		{
			for (i = 2; i <= NF; i++)
				if (index($i, key "=") == 1) {
					print substr($i, length(key) + 2)
					exit
				}
		}' "$1"
}

# hl_get2 FILE KIND WHAT KEY VM: like hl_get for "honest vm=VM WHAT ...".
hl_get2()
{
	awk -v kind="$2" -v what="$3" -v key="$4" -v vm="$5" '
		$1 == kind && $2 == "vm=" vm && $3 == what {
			for (i = 4; i <= NF; i++)
				if (index($i, key "=") == 1) {
					print substr($i, length(key) + 2)
					exit
				}
		}' "$1"
}
