#!/bin/bash
# The whole test suite. Installs what it needs, then:
#   plain build (the binary users get): criterion unit tests,
#     the layer rule of docs/architecture.md (includes and calls),
#     every integration and security test, the real clients (podman/conmon,
#     containerd, docker) driving minirt, the cgroup v2 VM lane, the
#     systemd VM lane (systemd as PID 1, --systemd-cgroup, podman), the
#     2-minute chaos run (tests/chaos/chaos.sh --ci: SIGKILL at random
#     instants, concurrent calls on one container, a short soak), the
#     Debian package (built, lintian, installed, checked, purged), and a
#     smoke run of the benchmark (N=3; it judges no time);
#   ASan+UBSan build: unit tests again and every integration and security
#     test (real containers); a sanitizer report is a failure.
# It ends with one line "N passed, N failed".
# MINIRT_SKIP_ASAN=1, MINIRT_SKIP_PLAIN_INTEGRATION=1, MINIRT_SKIP_CLIENTS=1,
# MINIRT_SKIP_VM=1, MINIRT_SKIP_CHAOS=1, MINIRT_SKIP_PACKAGE=1,
# MINIRT_SKIP_BENCH=1 leave a part
# out for a quick local run (CI runs everything).
set -u
cd "$(dirname "$0")/.."
top=$PWD
./tests/deps.sh || { echo "dependency install failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
log=$top/tests/tmp/logs
rm -rf "$log"
mkdir -p "$log"

count_tap() { # file -> adds to passed/failed
  local p f
  p=$(grep -c '^ok ' "$1" || true)
  f=$(grep -c '^not ok ' "$1" || true)
  passed=$((passed + p))
  failed=$((failed + f))
}

show_failures() { # tap file
  grep -A15 '^not ok' "$1" | head -200 || true
}

build() { # dir [meson options...]
  local dir=$1; shift
  if [ ! -d "$dir" ]; then
    meson setup "$dir" "$@" >"$log/setup-$(basename "$dir").log" 2>&1 || return 1
  fi
  ninja -C "$dir" >"$log/build-$(basename "$dir").log" 2>&1
}

unit_tests() { # lane builddir
  local name=$1 dir=$2 t tap rc
  echo "== $name: unit tests"
  for t in "$dir"/tests/unit/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    tap=$log/$name-$(basename "$t").tap
    "$t" --tap="$tap" >"$log/$name-$(basename "$t").err" 2>&1
    rc=$?
    count_tap "$tap"
    grep '^not ok' "$tap" || true
    if [ $rc -ne 0 ] && ! grep -q '^not ok' "$tap"; then
      echo "not ok $(basename "$t") crashed (rc=$rc)"; failed=$((failed + 1))
      tail -5 "$log/$name-$(basename "$t").err"
    fi
  done
}

bats_lane() { # name minirt-binary dirs...
  local name=$1 bin=$2; shift 2
  echo "== $name"
  MINIRT=$bin bats --tap "$@" >"$log/$name.tap" 2>&1
  count_tap "$log/$name.tap"
  show_failures "$log/$name.tap"
}

# A lane that is a script printing TAP: its lines count; a non-zero exit
# without a failing line (it did not get to report) is one failure.
script_lane() { # name title command...
  local name=$1 title=$2 rc; shift 2
  echo "== $title"
  "$@" >"$log/$name.tap" 2>"$log/$name.err"
  rc=$?
  count_tap "$log/$name.tap"
  show_failures "$log/$name.tap"
  if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log/$name.tap"; then
    echo "not ok $title failed (rc=$rc)"; failed=$((failed + 1))
    tail -20 "$log/$name.err"
  fi
}

./tests/lib/make-rootfs.sh tests/tmp/rootfs >/dev/null

if build build --buildtype=debugoptimized; then
  unit_tests plain build
  echo "== layers"
  tests/layers/check.sh build >"$log/layers.tap" 2>&1
  count_tap "$log/layers.tap"
  show_failures "$log/layers.tap"
  if [ "${MINIRT_SKIP_PLAIN_INTEGRATION:-0}" != 1 ]; then
    bats_lane plain-integration "$top/build/minirt" tests/integration tests/security
  fi
  if [ "${MINIRT_SKIP_CLIENTS:-0}" != 1 ]; then
    bats_lane clients "$top/build/minirt" tests/clients
  fi
  if [ "${MINIRT_SKIP_VM:-0}" != 1 ]; then
    MINIRT=$top/build/minirt script_lane vm "cgroup v2 VM lane" tests/vm/run-v2.sh
    MINIRT=$top/build/minirt script_lane vm-systemd "systemd VM lane" \
      tests/vm/run-systemd.sh
  fi
  if [ "${MINIRT_SKIP_CHAOS:-0}" != 1 ]; then
    script_lane chaos "chaos run (2 minutes)" \
      tests/chaos/chaos.sh --ci --bin "$top/build/minirt"
    grep '^# summary' "$log/chaos.err" || true
  fi
  if [ "${MINIRT_SKIP_PACKAGE:-0}" != 1 ]; then
    script_lane package "Debian package lane" tests/package/check.sh
  fi
  if [ "${MINIRT_SKIP_BENCH:-0}" != 1 ]; then
    echo "== benchmark smoke"
    if bench/bench.sh --smoke >"$log/bench.log" 2>&1; then
      passed=$((passed + 1))
    else
      echo "not ok bench/bench.sh --smoke failed"; failed=$((failed + 1))
      tail -20 "$log/bench.log"
    fi
  fi
else
  echo "not ok build failed"; tail -30 "$log/build-build.log"; failed=$((failed + 1))
fi

if [ "${MINIRT_SKIP_ASAN:-0}" != 1 ]; then
  if build build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=$log/asan
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=0:log_path=$log/ubsan
    unit_tests asan build-asan
    bats_lane integration "$top/build-asan/minirt" tests/integration tests/security
    unset ASAN_OPTIONS UBSAN_OPTIONS
    # A report is a file with a sanitizer's error or summary line. LSan
    # also leaves a file when its tracer cannot stop a thread ("Unable to
    # get registers": the process was being frozen or killed by a test as
    # it exited); that is no finding, but it is shown.
    reports=() notes=()
    for f in "$log"/asan.* "$log"/ubsan.*; do
      [ -e "$f" ] || continue
      if grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error:|^SUMMARY: ' "$f"; then
        reports+=("$f")
      else
        notes+=("$f")
      fi
    done
    if [ ${#reports[@]} -gt 0 ]; then
      echo "not ok sanitizer reports:"; failed=$((failed + 1))
      head -60 "${reports[@]}"
    fi
    [ ${#notes[@]} -eq 0 ] || { echo "# sanitizer notes (no report):"; cat "${notes[@]}" | sed 's/^/#   /' | head -20; }
  else
    echo "not ok asan build failed"; tail -30 "$log/build-build-asan.log"; failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
