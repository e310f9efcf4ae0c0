#!/bin/bash
# The whole test suite: installs what it needs, builds minirt, runs the
# criterion unit tests and the bats integration tests, then the same again
# in the ASan+UBSan build, and ends with one line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
top=$PWD
./tests/deps.sh || { echo "dependency install failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
log=$top/tests/tmp/logs
mkdir -p "$log"

count_tap() { # file -> adds to passed/failed
  local p f
  p=$(grep -c '^ok ' "$1" || true)
  f=$(grep -c '^not ok ' "$1" || true)
  passed=$((passed + p))
  failed=$((failed + f))
}

build() { # dir [meson options...]
  local dir=$1; shift
  if [ ! -d "$dir" ]; then
    meson setup "$dir" "$@" >"$log/setup-$(basename "$dir").log" 2>&1 || return 1
  fi
  ninja -C "$dir" >"$log/build-$(basename "$dir").log" 2>&1
}

lane() { # name builddir
  local name=$1 dir=$2
  echo "== $name: unit tests"
  for t in "$dir"/tests/unit/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    "$t" --tap="$log/$name-$(basename "$t").tap" >"$log/$name-$(basename "$t").err" 2>&1
    rc=$?
    count_tap "$log/$name-$(basename "$t").tap"
    grep '^not ok' "$log/$name-$(basename "$t").tap" || true
    if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log/$name-$(basename "$t").tap"; then
      echo "not ok $(basename "$t") crashed (rc=$rc)"; failed=$((failed + 1))
      tail -5 "$log/$name-$(basename "$t").err"
    fi
  done
  echo "== $name: integration tests"
  MINIRT=$top/$dir/minirt bats --tap tests/integration tests/security \
    >"$log/$name-bats.tap" 2>&1
  count_tap "$log/$name-bats.tap"
  grep -A15 '^not ok' "$log/$name-bats.tap" | head -200 || true
  if grep -q 'ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer' "$log/$name-bats.tap"; then
    echo "not ok $name: sanitizer report"; failed=$((failed + 1))
    grep -m5 -A5 'AddressSanitizer\|runtime error:' "$log/$name-bats.tap"
  fi
}

./tests/lib/make-rootfs.sh tests/tmp/rootfs >/dev/null

if build build --buildtype=debugoptimized; then
  lane main build
else
  echo "not ok build failed"; tail -30 "$log/build-build.log"; failed=$((failed + 1))
fi

# Real clients (podman/conmon, containerd, docker) drive the release-like
# build once; the ASan lane below repeats minirt's own suites only.
if [ -x build/minirt ] && [ "${MINIRT_SKIP_CLIENTS:-0}" != 1 ]; then
  echo "== clients"
  MINIRT=$top/build/minirt bats --tap tests/clients >"$log/clients.tap" 2>&1
  count_tap "$log/clients.tap"
  grep -A15 '^not ok' "$log/clients.tap" | head -200 || true
fi

if [ "${MINIRT_SKIP_ASAN:-0}" != 1 ]; then
  if build build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=$log/asan
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=0:log_path=$log/ubsan
    rm -f "$log"/asan.* "$log"/ubsan.*
    lane asan build-asan
    if ls "$log"/asan.* "$log"/ubsan.* >/dev/null 2>&1; then
      echo "not ok asan lane: sanitizer reports"; failed=$((failed + 1))
      head -40 "$log"/asan.* "$log"/ubsan.* 2>/dev/null
    fi
  else
    echo "not ok asan build failed"; tail -30 "$log/build-build-asan.log"; failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
