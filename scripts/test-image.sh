#!/usr/bin/env bash
# make test-image: the image of `make image` (Containerfile) does what the
# pods of docs/k8s-sweep.yaml do. It runs make image, then
#   1. reads the pod's command, the shard count (SGDSDE_SHARDS, completions)
#      and the image name from docs/k8s-sweep.yaml and docs/k8s-merge.yaml;
#   2. checks the image: one layer holding usr/local/bin/sgdsde and no other
#      file, a static binary (CGO_ENABLED=0), user 65532, its size;
#   3. runs that sweep unsharded with bin/sgdsde (make build): the reference;
#   4. runs the binary taken out of the image (podman save) as the shards,
#      JOB_COMPLETION_INDEX=0..n-1 and SGDSDE_SHARDS=n, merges, compares;
#   5. runs the shards as n containers at once, each with its
#      JOB_COMPLETION_INDEX, all writing into one bind-mounted directory
#      (the ReadWriteMany volume), then the merge as a container; compares.
# When no container can start (podman's own error is printed), step 5 is
# skipped outside CI and fails under CI=true. Without podman the test is
# skipped outside CI. The last line is "test-image: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
IMAGE=${IMAGE:-localhost/sgdsde:0.1.0}
SGDSDE=${SGDSDE:-$REPO/bin/sgdsde}
BIN_IMAGE=$REPO/bin/image/sgdsde     # what make image copied into the image
export PATH="/usr/local/go/bin:$PATH"

if ! command -v podman >/dev/null 2>&1; then
	if [[ ${CI:-} == true ]]; then
		echo "test-image: podman is not installed (apt-get install podman runc)" >&2
		exit 1
	fi
	echo "test-image: SKIPPED: podman is not installed (apt-get install podman runc; then make test-image)"
	exit 0
fi
[[ -x $SGDSDE ]] || { echo "test-image: no $SGDSDE (make build)" >&2; exit 1; }
${MAKE:-make} --no-print-directory image IMAGE="$IMAGE"
podman image exists "$IMAGE" || { echo "test-image: no image $IMAGE after make image" >&2; exit 1; }

W=$(mktemp -d /tmp/sgdsde-test-image.XXXXXX)
passed=0
failed=0
t_start=$(date +%s.%N)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		echo "ok     $what"
		passed=$((passed + 1))
	else
		echo "FAILED $what" >&2
		failed=$((failed + 1))
	fi
}

# The containers' cgroups go under this process's own memory cgroup (not
# podman's default /libpod_parent at the root), and conmon stays in ours
# (--cgroups=no-conmon); the directories this creates are removed at exit.
memcg=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
CG_PARENT=${memcg%/}/sgdsde-test-image-$$
cg_before=$(find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort)
cleanup() {
	local rc=$? d
	podman ps -a -q --filter "label=sgdsde-test-image=$$" | xargs -r podman rm -f >/dev/null 2>&1 || true
	# cgroup directories that this test created, deepest first (rmdir only
	# removes empty ones).
	comm -13 <(echo "$cg_before") <(find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort) |
		awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- |
		while read -r d; do rmdir "$d" 2>/dev/null || true; done
	if [[ $rc -eq 0 && $failed -eq 0 ]]; then
		rm -rf "$W"
	else
		echo "test-image: kept $W" >&2
	fi
}
trap cleanup EXIT

# --- 1. what the manifests say ------------------------------------------
yaml=docs/k8s-sweep.yaml
# The sweep container's command: the list items after "command:" in the
# container named sweep, up to "env:".
mapfile -t POD_CMD < <(sed -n '/- name: sweep$/,/env:/p' "$yaml" | sed -n '/command:/,/env:/s/^ *- \([^ #]*\).*/\1/p')
SHARDS=$(sed -n '/name: SGDSDE_SHARDS/{n;s/.*value: "\([0-9]*\)".*/\1/p}' "$yaml")
COMPLETIONS=$(sed -n 's/^ *completions: *\([0-9]*\).*/\1/p' "$yaml")
OUT_ARG=$(printf '%s\n' "${POD_CMD[@]}" | sed -n 's/^--out=//p')
echo "== the pod of $yaml: ${POD_CMD[*]}  (SGDSDE_SHARDS=$SHARDS, completions: $COMPLETIONS)"
check "the pod runs 'sgdsde sweep ... --shard=auto --out=/sweep/...'" \
	eval '[[ ${POD_CMD[0]} == sgdsde && ${POD_CMD[1]} == sweep && " ${POD_CMD[*]} " == *" --shard=auto "* && $OUT_ARG == /sweep/* ]]'
check "SGDSDE_SHARDS ($SHARDS) equals completions ($COMPLETIONS)" eval '[[ -n $SHARDS && $SHARDS == "$COMPLETIONS" ]]'
# make image's default name, localhost/sgdsde:VERSION.
DEFAULT_IMAGE=localhost/sgdsde:$(sed -n 's/^const version = "\(.*\)"/\1/p' cmd/sgdsde/root.go)
check "both manifests name the image make image builds ($DEFAULT_IMAGE)" \
	eval '[[ $(grep -c "image: $DEFAULT_IMAGE " docs/k8s-sweep.yaml docs/k8s-merge.yaml | grep -c ":1$") -eq 2 ]]'
# The sweep's own arguments: the pod's, less --shard and --out.
SWEEP_ARGS=()
for a in "${POD_CMD[@]:2}"; do
	[[ $a == --shard=* || $a == --out=* ]] || SWEEP_ARGS+=("$a")
done
DIR_IN_VOLUME=${OUT_ARG#/sweep/}

# --- 2. the image ----------------------------------------------------------
echo "== the image $IMAGE"
podman image inspect "$IMAGE" --format 'size {{.Size}} bytes, user {{.Config.User}}, entrypoint {{.Config.Entrypoint}}, env {{.Config.Env}}, {{len .RootFS.Layers}} layer(s)' | sed 's/^/  /'
podman image ls "$IMAGE" | sed 's/^/  /'
check "user 65532:65532, entrypoint /usr/local/bin/sgdsde, PATH=/usr/local/bin" \
	eval '[[ $(podman image inspect "$IMAGE" --format "{{.Config.User}} {{.Config.Entrypoint}} {{.Config.Env}}") == "65532:65532 [/usr/local/bin/sgdsde] [PATH=/usr/local/bin]" ]]'
mkdir -p "$W/save"
podman save --format docker-archive -o "$W/image.tar" "$IMAGE" 2>/dev/null
tar -xf "$W/image.tar" -C "$W/save"
mapfile -t layers < <(sed -n 's/.*"Layers":\["\([^]]*\)"\].*/\1/p' "$W/save/manifest.json" | tr -d '"' | tr ',' '\n')
: >"$W/files.txt"
for l in "${layers[@]}"; do
	tar -tvf "$W/save/$l" | sed "s|^|  $l: |"
	tar -tvf "$W/save/$l" | awk '$1 !~ /^d/ { print $NF }' >>"$W/files.txt"
done
check "podman save: ${#layers[@]} layer, whose only file is usr/local/bin/sgdsde" \
	eval '[[ ${#layers[@]} -eq 1 && $(cat "$W/files.txt") == usr/local/bin/sgdsde ]]'
mkdir -p "$W/extracted"
tar -xf "$W/save/${layers[0]}" -C "$W/extracted" usr/local/bin/sgdsde
XBIN=$W/extracted/usr/local/bin/sgdsde
check "the binary in the image is bin/image/sgdsde" cmp -s "$XBIN" "$BIN_IMAGE"
check "it is a static build (go version -m: CGO_ENABLED=0)" eval 'go version -m "$XBIN" | grep -q "CGO_ENABLED=0"'
check "it needs no dynamic loader (no PT_INTERP)" eval '! grep -q "/lib64/ld-linux" "$XBIN"'

# --- 3. the reference ------------------------------------------------------
echo "== reference: bin/sgdsde sweep ${SWEEP_ARGS[*]} (unsharded)"
t0=$(now)
"$SGDSDE" sweep "${SWEEP_ARGS[@]}" --out "$W/ref" >"$W/ref.log" 2>&1
t_ref=$(since "$t0")
grep -E '^(sweep|ran|results) ' "$W/ref.log" | sed 's/^/  /'
REF=$W/ref/results.csv
check "reference results.csv" test -s "$REF"

# run_shards DIR CMD...: the pod's command as SHARDS processes at once with
# JOB_COMPLETION_INDEX=i and SGDSDE_SHARDS, logs in DIR.i.log.
run_shards() {
	local dir=$1 i rc=0
	shift
	local pids=()
	for ((i = 0; i < SHARDS; i++)); do
		JOB_COMPLETION_INDEX=$i SGDSDE_SHARDS=$SHARDS "$@" "${SWEEP_ARGS[@]}" --shard=auto --out="$dir" >"$dir.$i.log" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { echo "  shard $i exited $?: $(tail -1 "$dir.$i.log")" >&2; rc=1; }
	done
	return $rc
}

# --- 4. the binary taken out of the image ------------------------------
echo "== the binary out of the image: $SHARDS processes with JOB_COMPLETION_INDEX=0..$((SHARDS - 1)), SGDSDE_SHARDS=$SHARDS"
mkdir -p "$W/direct"
t0=$(now)
check "every shard exited 0" run_shards "$W/direct/$DIR_IN_VOLUME" "$XBIN" sweep
t_direct=$(since "$t0")
for ((i = 0; i < SHARDS; i++)); do
	check "process $i ran shard $i/$SHARDS" grep -q "shard $i/$SHARDS:" "$W/direct/$DIR_IN_VOLUME.$i.log"
done
"$XBIN" sweep merge "$W/direct/$DIR_IN_VOLUME" >"$W/direct/merge.log" 2>&1
check "merged results.csv is byte-identical to the unsharded run" cmp "$W/direct/$DIR_IN_VOLUME/results.csv" "$REF"

# --- 5. the image as containers ------------------------------------------
echo "== the image as $SHARDS containers at once (podman run), one bind-mounted /sweep"
VOL=$W/volume
mkdir -p "$VOL"
chown 65532:65532 "$VOL" # as fsGroup does for the pods' volume
# Podman's defaults ask for ulimits above this machine's hard limits
# (RLIMIT_NOFILE, RLIMIT_NPROC; no CAP_SYS_RESOURCE here), and crun refuses
# a host whose cgroups are v1 with controllers left on v2 ("hybrid");
# each try is printed with podman's error, the first that starts is used.
tries=(
	""
	"--ulimit nofile=4096:4096 --ulimit nproc=4096:4096"
	"--runtime runc --ulimit nofile=4096:4096 --ulimit nproc=4096:4096"
)
RUN_OPTS=()
ran=no
for t in "${tries[@]}"; do
	read -r -a extra <<<"$t"
	opts=(--rm --network=none --label "sgdsde-test-image=$$" --cgroups=no-conmon --cgroup-parent="$CG_PARENT" "${extra[@]}")
	if err=$(podman run "${opts[@]}" "$IMAGE" --help 2>&1 >/dev/null); then
		echo "  podman run ${t:-(no extra options)}: starts"
		RUN_OPTS=("${opts[@]}")
		ran=yes
		break
	fi
	echo "  podman run ${t:-(no extra options)}: $err"
done
if [[ $ran == no ]]; then
	if [[ ${CI:-} == true ]]; then
		check "a container starts on this machine" false
	else
		echo "test-image: no container can start here (errors above): the image's contents and its binary are tested, not containers"
	fi
else
	t0=$(now)
	pids=()
	for ((i = 0; i < SHARDS; i++)); do
		podman run "${RUN_OPTS[@]}" -v "$VOL:/sweep" -e JOB_COMPLETION_INDEX=$i -e SGDSDE_SHARDS="$SHARDS" \
			--entrypoint "${POD_CMD[0]}" "$IMAGE" "${POD_CMD[@]:1}" >"$W/container.$i.log" 2>&1 &
		pids+=($!)
	done
	rc_all=0
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			rc_all=1
			echo "  container $i failed: $(tail -3 "$W/container.$i.log")" >&2
		fi
	done
	t_containers=$(since "$t0")
	check "$SHARDS containers exited 0" test $rc_all -eq 0
	for ((i = 0; i < SHARDS; i++)); do
		check "container $i (JOB_COMPLETION_INDEX=$i) ran shard $i/$SHARDS" grep -q "shard $i/$SHARDS:" "$W/container.$i.log"
	done
	check "the files in the volume belong to uid 65532" \
		eval '[[ -z $(find "$VOL" ! -uid 65532 -print -quit) ]]'
	# The merge Job's container (docs/k8s-merge.yaml).
	mapfile -t MERGE_CMD < <(sed -n 's/^ *command: \[\(.*\)\]/\1/p' docs/k8s-merge.yaml | tr -d ' ' | tr ',' '\n')
	echo "  merge: ${MERGE_CMD[*]}"
	podman run "${RUN_OPTS[@]}" -v "$VOL:/sweep" --entrypoint "${MERGE_CMD[0]}" "$IMAGE" "${MERGE_CMD[@]:1}" >"$W/merge.log" 2>&1 ||
		echo "  merge container failed: $(cat "$W/merge.log")" >&2
	sed 's/^/  | /' "$W/merge.log"
	check "merged results.csv is byte-identical to the unsharded run" cmp "$VOL/$DIR_IN_VOLUME/results.csv" "$REF"
fi

echo "== times ($(($(wc -l <"$REF") - 1)) points, $(nproc) CPUs)"
printf '  %-36s %s s\n' "unsharded, bin/sgdsde:" "$t_ref" "$SHARDS processes, binary from the image:" "$t_direct"
[[ $ran == yes ]] && printf '  %-36s %s s\n' "$SHARDS containers at once:" "$t_containers"
printf '  %-36s %s bytes\n' "image size:" "$(podman image inspect "$IMAGE" --format '{{.Size}}')"
printf '  %-36s %s s\n' "test-image total:" "$(since "$t_start")"
echo "test-image: $passed passed, $failed failed"
((failed == 0))
