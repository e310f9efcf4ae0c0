#!/usr/bin/env bats
# CVE-2019-5736: a process in the container must never get a writable
# handle on the runtime binary on the host, neither through the /proc/PID/exe
# of a runtime process joining the container nor by making the runtime exec
# itself (`#!/proc/self/exe`). The binary is a private copy so nothing real
# is at risk.

load ../integration/helpers

setup() {
  setup_minirt
  cfg_edit ".root.readonly = false"
  cp "$MINIRT" "$TEST_DIR/minirt"
  MINIRT=$TEST_DIR/minirt
  SUM_BEFORE=$(sha256sum "$MINIRT" | cut -d' ' -f1)
  cat > "$BUNDLE/rootfs/attack.sh" <<'SH'
#!/bin/sh
# Waits for a process whose exe is the runtime, tries to open it for reading
# and writing, keeps a read fd and writes through it once the runtime exits.
i=0
while [ $i -lt 3000 ]; do
  i=$((i+1))
  for d in /proc/[0-9]*; do
    [ "$(cat $d/comm 2>/dev/null)" = minirt ] || continue
    echo "FOUND $d" >> /result
    if ( : < $d/exe ) 2>/dev/null; then
      echo READ-OK >> /result
      exec 3< $d/exe
    fi
    ( echo pwned >> $d/exe ) 2>/dev/null && echo WRITE-OK >> /result
    echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd
    sleep 1
    if [ -e /proc/self/fd/3 ]; then
      ( echo pwned >> /proc/self/fd/3 ) 2>/dev/null && echo WRITE-LATER-OK >> /result
    fi
    echo DONE >> /result
    exec sleep 1000
  done
done
echo NOTFOUND >> /result
SH
  chmod +x "$BUNDLE/rootfs/attack.sh"
}

@test "a process in the container cannot open the exe of a joining minirt" {
  # The attacker polls /proc for a joining minirt while we exec again and
  # again; whether it catches one is a race, what it may never get is a
  # handle on the binary. (The deterministic case is the created init,
  # tested below.)
  cfg_edit '.process.args = ["/attack.sh"]'
  create_started </dev/null >/dev/null 2>&1
  for _ in $(seq 30); do
    timeout 20 "$MINIRT" --root "$STATE_ROOT" exec "$ID" true </dev/null >/dev/null 2>>$TEST_DIR/errs || { echo "rc=$? $(cat $TEST_DIR/errs)" >&3; false; }
    grep -q DONE "$BUNDLE/rootfs/result" 2>/dev/null && break
  done
  cat "$BUNDLE/rootfs/result" >&2 2>/dev/null || true
  ! grep -q -- '-OK' "$BUNDLE/rootfs/result" 2>/dev/null
  assert_equal "$(sha256sum "$MINIRT" | cut -d' ' -f1)" "$SUM_BEFORE"
}

@test "a #!/proc/self/exe program cannot get at the runtime binary" {
  printf '#!/proc/self/exe\n' > "$BUNDLE/rootfs/evil"
  chmod +x "$BUNDLE/rootfs/evil"
  cfg_edit '.process.args = ["/attack.sh"]'
  create_started </dev/null >/dev/null 2>&1
  for _ in 1 2 3 4 5; do
    timeout 10 "$MINIRT" --root "$STATE_ROOT" exec "$ID" /evil </dev/null >/dev/null 2>&1 || true
    timeout 10 "$MINIRT" --root "$STATE_ROOT" exec -d "$ID" /evil </dev/null >/dev/null 2>&1 || true
  done
  sleep 1.2
  if [ -f "$BUNDLE/rootfs/result" ]; then
    cat "$BUNDLE/rootfs/result" >&2
    ! grep -q -- '-OK' "$BUNDLE/rootfs/result"
  fi
  assert_equal "$(sha256sum "$MINIRT" | cut -d' ' -f1)" "$SUM_BEFORE"
}

@test "the created init (minirt waiting for start) cannot be reopened for writing" {
  # Between create and start pid 1 of the container is still minirt; a
  # process exec'd then must not keep a handle that is writable once the
  # binary is no longer busy.
  minirt create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
  rt exec "$ID" sh -c 'cat /proc/1/comm; ( : < /proc/1/exe ) 2>/dev/null && echo READ-OK; echo end'
  echo "$output" >&2
  assert_success
  assert_output_contains minirt
  [[ "$output" != *READ-OK* ]]
  minirt exec -d "$ID" sh -c 'exec 3</proc/1/exe || exit 0
    while [ "$(cat /proc/1/comm)" = minirt ]; do sleep 0.05; done; sleep 0.5
    ( echo pwned >> /proc/self/fd/3 ) 2>/dev/null && echo WRITE-OK > /result
    echo end >> /result' </dev/null >/dev/null 2>&1
  sleep 0.3
  minirt start "$ID"
  for _ in $(seq 30); do
    grep -q end "$BUNDLE/rootfs/result" 2>/dev/null && break
    sleep 0.1
  done
  ! grep -q WRITE-OK "$BUNDLE/rootfs/result" 2>/dev/null
  assert_equal "$(sha256sum "$MINIRT" | cut -d' ' -f1)" "$SUM_BEFORE"
}
