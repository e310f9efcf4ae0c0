# shellcheck shell=bash disable=SC2154 # tmp, BIN, ROOT and BENCH_* come from bench/bench.sh
# Parallel load and cost growth, sourced by bench/bench.sh. The measuring
# functions run inside its private mount namespace (`inner`) and use its
# helpers (timed, rtcmd, order, bundle_for, BIN, ROOT); the report functions
# run outside and read $tmp/data. The method is described in
# docs/benchmarks.md.
#
# Samples (µs) in $BENCH_TMP/data:
#   RT.par-P        latency of every successful `run` at parallelism P
#   RT.par-P.wall   wall time of the whole level; RT.par-P.fail its failures
#   RT.mounts-M     `run` with M extra bind mounts
#   RT.list-C, RT.state-C   `list`/`state` with C created containers
#   RT.env-E        `exec` with E `--env` entries
#   RT.ps-K         `ps` of a container with K processes besides its init
#   RT.cost-failures  one line per failed cost call

# --- parallel load ---------------------------------------------------------

# One loop of `run /bin/true` until the deadline; a new container id (and
# cgroup) per run. Latencies go to its own file, so no two loops write one.
# bench/loop.c does it (compiled by bench.sh); this bash loop is the
# fallback without a C compiler, and costs ~1 ms of CPU per run more.
par_worker() { # rt level worker deadline-µs
  local rt=$1 p=$2 w=$3 end=$4 i=0 dir id t0 t1 tmpl
  dir=$BENCH_TMP/par/$rt-$p-$w
  mkdir -p "$dir"
  if [ -x "$BENCH_TMP/loop" ]; then
    exec "$BENCH_TMP/loop" "$BENCH_TMP/config.true.json" "$dir" "$end" "$dir/lat" \
      "$dir/fail" "run at parallelism $p: " "$rt-p$p-$w" "${BIN[$rt]}" "${ROOT[$rt]}"
  fi
  tmpl=$(<"$BENCH_TMP/config.true.json")
  while t0=$EPOCHREALTIME && [ "${t0/./}" -lt "$end" ]; do
    i=$((i + 1))
    id=$rt-p$p-$w-$i
    printf '%s\n' "${tmpl//@ID@/$id}" >"$dir/config.json"
    t0=$EPOCHREALTIME
    if "${BIN[$rt]}" --root "${ROOT[$rt]}" run --bundle "$dir" "$id" \
      </dev/null >/dev/null 2>"$dir/err"; then
      t1=$EPOCHREALTIME
      echo $((${t1/./} - ${t0/./})) >>"$dir/lat"
    else
      printf 'run at parallelism %s: %s\n' "$p" \
        "$(grep -v '^\s*$' "$dir/err" | tail -n 1 | cut -c1-160)" >>"$dir/fail"
      "${BIN[$rt]}" --root "${ROOT[$rt]}" delete --force "$id" </dev/null >/dev/null 2>&1 || true
    fi
  done
}

# Each level is BENCH_PAR_ROUNDS windows per runtime of BENCH_PAR_SECS /
# rounds seconds each, interleaved A B C F, B C F A, …: load from other
# processes on a shared machine then falls on all runtimes alike, as in the
# sequential rounds, instead of on whichever had the unlucky window.
phase_parallel() {
  local p rt w k=0 r t0 t1 end who=$BENCH_RUNTIMES
  local rounds=${BENCH_PAR_ROUNDS:-1} win
  local -a pids
  win=$((BENCH_PAR_SECS * 1000000 / rounds))
  # The floor program (bench/floor.c) too: what the kernel work of the
  # default spec alone allows at each level.
  [ -n "${BIN[floor]:-}" ] && who="$who floor"
  for p in $BENCH_PAR_LEVELS; do
    for rt in $who; do
      : >"$BENCH_TMP/data/$rt.par-$p.wall"
    done
    for ((r = 1; r <= rounds; r++)); do
      k=$((k + 1))
      echo "bench: parallel $p, round $r of $rounds, $((win / 1000)) ms per runtime" >&2
      for rt in $(order "$k" "$who"); do
        broken "$rt" && continue
        t0=$EPOCHREALTIME
        end=$((${t0/./} + win))
        pids=()
        for ((w = 1; w <= p; w++)); do
          # Worker numbers differ per round, so do container ids.
          par_worker "$rt" "$p" "$((r * 1000 + w))" "$end" &
          pids+=($!)
          echo $! >>"$BENCH_TMP/workers"
        done
        wait "${pids[@]}" || true
        t1=$EPOCHREALTIME
        : >"$BENCH_TMP/workers"
        echo $((${t1/./} - ${t0/./})) >>"$BENCH_TMP/data/$rt.par-$p.wall"
      done
    done
    for rt in $who; do
      # The level's wall time is the sum of its windows.
      awk '{ s += $1 } END { print s + 0 }' "$BENCH_TMP/data/$rt.par-$p.wall" >"$BENCH_TMP/par.sum"
      if [ "$(<"$BENCH_TMP/par.sum")" = 0 ]; then # given up before its first window
        rm -f "$BENCH_TMP/par.sum" "$BENCH_TMP/data/$rt.par-$p.wall"
        continue
      fi
      mv "$BENCH_TMP/par.sum" "$BENCH_TMP/data/$rt.par-$p.wall"
      cat "$BENCH_TMP/par/$rt-$p-"*/lat >"$BENCH_TMP/data/$rt.par-$p" 2>/dev/null || true
      cat "$BENCH_TMP/par/$rt-$p-"*/fail >"$BENCH_TMP/data/$rt.par-$p.fail" 2>/dev/null || true
    done
    rm -rf "$BENCH_TMP/par"
  done
}

# --- cost growth -----------------------------------------------------------

cost_failed() { # rt what
  printf '%s: %s\n' "$2" "$(last_error)" | sed -E "s/$1-[a-z]+[0-9]+/<id>/g" \
    >>"$BENCH_TMP/data/$1.cost-failures"
}

# `run` with M bind mounts of one directory onto /mnt/b1 … /mnt/bM.
phase_mounts() {
  local r m rt k=0 b
  for ((r = 1; r <= BENCH_REPS; r++)); do
    for m in $BENCH_MOUNTS; do
      k=$((k + 1))
      for rt in $(order "$k"); do
        broken "$rt" && continue
        b=$(bundle_for "$rt" "mounts$m" "b$m")
        if timed "$rt" run --bundle "$b" "$rt-b$m"; then
          echo "$US" >>"$BENCH_TMP/data/$rt.mounts-$m"
        else
          cost_failed "$rt" "run with $m bind mounts"
          rtcmd "$rt" delete --force "$rt-b$m" >/dev/null 2>&1 || true
        fi
      done
    done
  done
}

# `list` and `state` while C containers are created (not started) under the
# runtime's --root. One runtime at a time, growing to each size in turn, so
# that at most the largest size is alive at once.
phase_containers() {
  local rt c r n have
  for rt in $BENCH_RUNTIMES; do
    broken "$rt" && continue
    have=0
    for c in $BENCH_CONTAINERS; do
      echo "bench: list/state with $c containers, $rt" >&2
      while [ "$have" -lt "$c" ]; do
        if ! rtcmd "$rt" create --bundle "$(bundle_for "$rt" idle "h$have")" "$rt-h$have" >/dev/null; then
          cost_failed "$rt" "create of container $have"
          rtcmd "$rt" delete --force "$rt-h$have" >/dev/null 2>&1 || true
          break 2
        fi
        have=$((have + 1))
      done
      for ((r = 1; r <= BENCH_REPS; r++)); do
        if timed "$rt" list --format json; then
          echo "$US" >>"$BENCH_TMP/data/$rt.list-$c"
        else
          cost_failed "$rt" "list with $c containers"
        fi
        if timed "$rt" state "$rt-h0"; then
          echo "$US" >>"$BENCH_TMP/data/$rt.state-$c"
        else
          cost_failed "$rt" "state with $c containers"
        fi
      done
    done
    for ((n = 0; n < have; n++)); do
      rtcmd "$rt" delete --force "$rt-h$n" >/dev/null 2>&1 || true
    done
  done
}

# `exec /bin/true` with E `--env KEY=VALUE` arguments, into one running
# container per runtime.
phase_env() {
  local rt r e i k=0
  local -a envs
  for rt in $BENCH_RUNTIMES; do
    broken "$rt" && continue
    rtcmd "$rt" create --bundle "$(bundle_for "$rt" sleep e)" "$rt-e" >/dev/null &&
      rtcmd "$rt" start "$rt-e" >/dev/null || cost_failed "$rt" "create+start of the env exec target"
  done
  for ((r = 1; r <= BENCH_REPS; r++)); do
    for e in $BENCH_ENVS; do
      k=$((k + 1))
      envs=()
      for ((i = 1; i <= e; i++)); do
        envs+=(--env "BENCH_VAR_$i=value-$i")
      done
      for rt in $(order "$k"); do
        broken "$rt" && continue
        if timed "$rt" exec "${envs[@]}" "$rt-e" /bin/true; then
          echo "$US" >>"$BENCH_TMP/data/$rt.env-$e"
        else
          cost_failed "$rt" "exec with $e env entries"
        fi
      done
    done
  done
  for rt in $BENCH_RUNTIMES; do
    rtcmd "$rt" delete --force "$rt-e" >/dev/null 2>&1 || true
  done
}

# `ps --format json` of a container whose shell started K `sleep`s and then
# became a sleep itself (K+1 processes).
phase_ps() {
  local rt k r i n id round=0
  for k in $BENCH_PROCS; do
    round=$((round + 1))
    for rt in $(order "$round"); do
      broken "$rt" && continue
      id=$rt-s$k
      if ! rtcmd "$rt" create --bundle "$(bundle_for "$rt" "ps$k" "s$k")" "$id" >/dev/null ||
        ! rtcmd "$rt" start "$id" >/dev/null; then
        cost_failed "$rt" "create+start of a container with $k processes"
        rtcmd "$rt" delete --force "$id" >/dev/null 2>&1 || true
        continue
      fi
      # Untimed: wait until every process is there (at most 60 s).
      for ((i = 0; i < 600; i++)); do
        n=$(rtcmd "$rt" ps --format json "$id" 2>/dev/null | jq length 2>/dev/null) || n=0
        [ "${n:-0}" -gt "$k" ] && break
        sleep 0.1
      done
      if [ "${n:-0}" -le "$k" ]; then
        echo "only ${n:-0} of $((k + 1)) processes after 60 s" >"$BENCH_TMP/last.err"
        cost_failed "$rt" "ps with $k processes"
      else
        for ((r = 1; r <= BENCH_REPS; r++)); do
          if timed "$rt" ps --format json "$id"; then
            echo "$US" >>"$BENCH_TMP/data/$rt.ps-$k"
          else
            cost_failed "$rt" "ps with $k processes"
          fi
        done
      fi
      rtcmd "$rt" delete --force "$id" >/dev/null 2>&1 || true
    done
  done
}

load_phases() {
  if [ -n "$BENCH_PAR_LEVELS" ]; then
    phase_parallel
  fi
  if [ -n "$BENCH_MOUNTS" ]; then
    echo "bench: run with $BENCH_MOUNTS bind mounts x $BENCH_REPS" >&2
    phase_mounts
  fi
  if [ -n "$BENCH_CONTAINERS" ]; then
    phase_containers
  fi
  if [ -n "$BENCH_ENVS" ]; then
    echo "bench: exec with $BENCH_ENVS env entries x $BENCH_REPS" >&2
    phase_env
  fi
  if [ -n "$BENCH_PROCS" ]; then
    echo "bench: ps with $BENCH_PROCS processes x $BENCH_REPS" >&2
    phase_ps
  fi
}

# --- configs (outer part, before the namespace) ----------------------------

# The templates of the load and cost kinds; mk_config and $tmp from bench.sh.
load_configs() {
  local m k
  if [ -n "$BENCH_MOUNTS" ]; then
    # A rootfs of its own with every mount point, so the runtimes need not
    # create them (the shared rootfs stays as it is).
    cp -a "$tmp/rootfs" "$tmp/rootfs-mounts"
    mkdir -p "$tmp/bind-source"
    m=$(printf '%s\n' $BENCH_MOUNTS | sort -n | tail -n 1)
    mkdir -p "$tmp/rootfs-mounts/mnt"
    (cd "$tmp/rootfs-mounts/mnt" && seq -f 'b%.0f' 1 "$m" | xargs mkdir -p)
    for m in $BENCH_MOUNTS; do
      mk_config "mounts$m" '["/bin/true"]' \
        ".root.path = \"$tmp/rootfs-mounts\"
         | .mounts += [range(1; $m + 1) | {destination: \"/mnt/b\(.)\", type: \"bind\",
             source: \"$tmp/bind-source\", options: [\"bind\"]}]"
    done
  fi
  # Created and never started; no network namespace, whose creation and
  # teardown would only make the setup of 1000 containers slower.
  mk_config idle '["/bin/true"]' '.linux.namespaces |= map(select(.type != "network"))'
  for k in $BENCH_PROCS; do
    mk_config "ps$k" "$(jq -cn --arg k "$k" \
      '["sh", "-c", "i=0; while [ $i -lt \($k) ]; do sleep 100000 & i=$((i + 1)); done; exec sleep 100000"]')"
  done
}

# --- report (outer part) ---------------------------------------------------

# Nearest-rank percentile of a sample file, in ms.
pct_ms() { # file percent
  [ -s "$1" ] || return 0
  sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 }
    END { r = int(p / 100 * NR); if (r < p / 100 * NR) r++; if (r < 1) r = 1
          printf "%.3f\n", v[r] / 1000 }'
}

par_row() { # rt level -> "cps p50 p99 ok failed" or nothing
  local f=$tmp/data/$1.par-$2 ok fails wall
  [ -e "$f.wall" ] || return 0
  ok=$( [ -s "$f" ] && wc -l <"$f" || echo 0)
  fails=$( [ -s "$f.fail" ] && wc -l <"$f.fail" || echo 0)
  wall=$(<"$f.wall")
  printf '%s %s %s %s %s\n' "$(awk -v n="$ok" -v w="$wall" 'BEGIN { printf "%.1f", n / (w / 1e6) }')" \
    "$(pct_ms "$f" 50)" "$(pct_ms "$f" 99)" "$ok" "$fails"
}

# Least-squares line through (size, median ms) of one measure: prints the
# slope in µs per item and the intercept in ms, or nothing below 2 sizes.
slope_of() { # rt measure sizes
  local rt=$1 m=$2 s med pts=""
  for s in $3; do
    med=$(pct_ms "$tmp/data/$rt.$m-$s" 50)
    [ -n "$med" ] && pts="$pts$s $med"$'\n'
  done
  printf '%s' "$pts" | awk 'NF == 2 { n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2 }
    END { if (n < 2) exit
          b = (n * sxy - sx * sy) / (n * sxx - sx * sx)
          printf "%.2f %.2f\n", b * 1000, (sy - b * sx) / n }'
}

all_rts="minirt crun runc"

report_parallel() {
  [ -n "$BENCH_PAR_LEVELS" ] || return 0
  local p rt row
  echo
  echo "### Parallel load: \`run /bin/true\` loops for ${BENCH_PAR_SECS} s per level and runtime, in ${BENCH_PAR_ROUNDS:-1} interleaved windows"
  echo
  echo "Containers per second; latency p50 / p99 in ms; failed runs."
  echo
  echo "| parallel loops | minirt /s | crun /s | runc /s | minirt p50 / p99 | crun p50 / p99 | runc p50 / p99 | failed (minirt, crun, runc) | minirt/crun throughput |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  : >"$tmp/data/parallel.dat"
  for p in $BENCH_PAR_LEVELS; do
    local cps="" lat="" fl="" dat="$p" mc="" cc=""
    for rt in $all_rts; do
      row=$(par_row "$rt" "$p")
      if [ -n "$row" ]; then
        set -- $row
        cps="$cps $(fmt "$1") |"
        lat="$lat $(fmt "${2:-0}") / $(fmt "${3:-0}") |"
        fl="$fl${fl:+, }$5"
        dat="$dat $1 ${2:-?} ${3:-?}"
        [ "$rt" = minirt ] && mc=$1
        [ "$rt" = crun ] && cc=$1
      else
        cps="$cps – |"
        lat="$lat – |"
        fl="$fl${fl:+, }–"
        dat="$dat ? ? ?"
      fi
    done
    echo "| $p |$cps$lat $fl | $(awk -v a="$mc" -v b="$cc" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else printf "–" }') |"
    # Columns 11-13: the floor program, `?` when it was not measured.
    row=$(par_row floor "$p")
    if [ -n "$row" ]; then
      set -- $row
      dat="$dat $1 ${2:-?} ${3:-?}"
    else
      dat="$dat ? ? ?"
    fi
    echo "$dat" >>"$tmp/data/parallel.dat"
  done
  if [ -e "$tmp/data/floor.par-${BENCH_PAR_LEVELS%% *}.wall" ]; then
    echo
    echo "The floor program (bench/floor.c, the default spec's kernel calls only) in the same loops:"
    echo
    echo "| parallel loops | floor /s | floor p50 / p99 | failed | floor/crun throughput | minirt/floor throughput |"
    echo "|---:|---:|---:|---:|---:|---:|"
    for p in $BENCH_PAR_LEVELS; do
      row=$(par_row floor "$p")
      [ -n "$row" ] || continue
      set -- $row
      local f=$1 l50=${2:-0} l99=${3:-0} nf=$5 m c
      m=$(par_row minirt "$p" | awk '{ print $1 }')
      c=$(par_row crun "$p" | awk '{ print $1 }')
      echo "| $p | $(fmt "$f") | $(fmt "$l50") / $(fmt "$l99") | $nf | $(awk -v a="$f" -v b="$c" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "–" }') | $(awk -v a="$m" -v b="$f" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else printf "–" }') |"
    done
  fi
  local any=0
  for rt in $all_rts floor; do
    cat "$tmp/data/$rt.par-"*.fail 2>/dev/null | sed -E "s/$rt-p[0-9]+-[0-9]+-[0-9]+/<id>/g" |
      sort | uniq -c | sort -rn | head -n 3 | sed "s/^ *\([0-9]*\) /- $rt: \1 × /" >"$tmp/par-fail.txt"
    [ -s "$tmp/par-fail.txt" ] || continue
    [ $any = 0 ] && printf '\nFailed parallel runs (count, last error line):\n\n'
    any=1
    cat "$tmp/par-fail.txt"
  done
  return 0
}

# One block of the cost table: a row per size and a slope row.
cost_block() { # measure label sizes unit
  local m=$1 label=$2 sizes=$3 unit=$4 s rt line first=1 sl
  : >"$tmp/data/cost-$m.dat"
  for s in $sizes; do
    if [ $first = 1 ]; then line="| $label | $s |"; else line="| | $s |"; fi
    local dat="$s"
    for rt in $all_rts; do
      local med
      med=$(pct_ms "$tmp/data/$rt.$m-$s" 50)
      if [ -n "$med" ]; then
        line="$line $(fmt "$med") |"
        dat="$dat $med"
      else
        line="$line – |"
        dat="$dat ?"
      fi
    done
    echo "$line"
    echo "$dat" >>"$tmp/data/cost-$m.dat"
    first=0
  done
  line="| | **slope, µs per $unit** |"
  for rt in $all_rts; do
    sl=$(slope_of "$rt" "$m" "$sizes")
    if [ -n "$sl" ]; then
      line="$line **$(fmt "${sl%% *}")** |"
    else
      line="$line – |"
    fi
  done
  echo "$line"
}

report_cost() {
  [ -n "$BENCH_MOUNTS$BENCH_CONTAINERS$BENCH_ENVS$BENCH_PROCS" ] || return 0
  echo
  echo "### Cost growth: median ms of $BENCH_REPS calls per size; slope of a least-squares line through the medians"
  echo
  echo "| | size | minirt | crun | runc |"
  echo "|---|---:|---:|---:|---:|"
  [ -n "$BENCH_MOUNTS" ] && cost_block mounts "\`run\` with N bind mounts" "$BENCH_MOUNTS" mount
  if [ -n "$BENCH_CONTAINERS" ]; then
    cost_block list "\`list\` with N containers" "$BENCH_CONTAINERS" container
    cost_block state "\`state\` with N containers" "$BENCH_CONTAINERS" container
  fi
  [ -n "$BENCH_ENVS" ] && cost_block env "\`exec\` with N \`--env\`" "$BENCH_ENVS" "env entry"
  [ -n "$BENCH_PROCS" ] && cost_block ps "\`ps\` of N+1 processes" "$BENCH_PROCS" process
  local rt any=0
  for rt in $all_rts; do
    [ -s "$tmp/data/$rt.cost-failures" ] || continue
    [ $any = 0 ] && printf '\nFailed cost calls (count, step: last error line):\n\n'
    any=1
    sort "$tmp/data/$rt.cost-failures" | uniq -c | sort -rn | head -n 3 |
      sed "s/^ *\([0-9]*\) /- $rt: \1 × /"
  done
  return 0
}

# Parallel or cost failures make the run fail like any other failed call.
load_failed() {
  local rt
  for rt in $all_rts; do
    [ -s "$tmp/data/$rt.cost-failures" ] && return 0
    cat "$tmp/data/$rt.par-"*.fail 2>/dev/null | grep -q . && return 0
  done
  return 1
}
