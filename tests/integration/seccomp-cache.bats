#!/usr/bin/env bats
# The cache of compiled seccomp filters under --root (docs/security.md):
# a warm cache gives the container the same filter as a cold one, an entry
# that fails its check is ignored and replaced, a directory or file that
# someone else could have written is never used, and a cache that cannot
# be written never fails a container.

load helpers
load ../lib/in-container

# mkdir and mkdirat fail with EPROTO (71, "Protocol error"); three
# architectures as podman sends them.
STRICT='{"defaultAction": "SCMP_ACT_ALLOW",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 71}]}'
# Lets mkdir through: its program, planted under STRICT's key, shows
# whether a cache entry was used.
LOOSE='{"defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}'
PROBE_SH='grep Seccomp: /proc/self/status; mkdir /tmp/d 2>&1 && echo made; true'

setup() {
  setup_minirt
  CACHE=$STATE_ROOT/.seccomp-cache
  cfg_edit '.root.readonly = false'
}

# Mounts of a test (a read-only root, a full cache) go first: the
# containers cannot be deleted below a read-only --root.
teardown() {
  awk -v d="$TEST_DIR/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts |
    sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  teardown_minirt
}

# `run` with --debug; the cache's notes are in $stderr, the container's
# output in $output.
rtd() {
  run --separate-stderr "$MINIRT" --root "$STATE_ROOT" --debug "$@"
}

# Runs PROBE_SH under the profile $1 in a fresh container.
run_probe() {
  cfg_edit ".linux.seccomp = $1"
  set_sh "$PROBE_SH"
  rtd run --bundle "$BUNDLE" "$ID"
}

# The filter of STRICT is in effect: filtered, and mkdir got its errno.
assert_strict_filter() {
  assert_success
  [ "${lines[0]}" = "$(printf 'Seccomp:\t2')" ]
  assert_output_contains "Protocol error"
  case "$output" in *made*) echo "mkdir got through" >&2; return 1 ;; esac
}

# The only entry of the cache dir.
entry() {
  local e
  e=$(ls "$CACHE")
  [ "$(echo "$e" | wc -l)" = 1 ] || { echo "entries: $e" >&2; return 1; }
  echo "$CACHE/$e"
}

hex2bin() { printf "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }
le64() { printf '%016x' "$1" | sed 's/../& /g' | awk '{ for (i = NF; i > 0; i--) printf "%s", $i }'; }

# Writes to $2 a well-formed entry for key $1 (hex) whose flags and program
# are the ones in entry file $3: the layout of docs/security.md, made by
# hand (the checksum covers the flag word and the program).
forge_entry() {
  local prog=$TEST_DIR/prog flags=$TEST_DIR/flags len sum
  tail -c +89 "$3" >"$prog"
  head -c 16 "$3" | tail -c 4 >"$flags"
  len=$(stat -c %s "$prog")
  sum=$(cat "$flags" "$prog" | sha256sum | cut -d' ' -f1)
  { printf 'MRTSECC\n'; hex2bin 03000000; cat "$flags"; hex2bin "$1"
    hex2bin "$(le64 "$len")"; hex2bin "$sum"; cat "$prog"; } >"$2"
}

# Leaves in the cache STRICT's entry holding LOOSE's program, and the good
# entry in $TEST_DIR/good. Checks that the planted entry is used while the
# directory is ours: so a test that sees STRICT's filter afterwards knows
# the entry was refused.
plant_loose_entry() {
  run_probe "$LOOSE"
  assert_success
  rm -rf "$BUNDLE/rootfs/tmp/d"
  local loose
  loose=$(entry)
  cp "$loose" "$TEST_DIR/loose"
  rm "$loose"
  run_probe "$STRICT"
  assert_strict_filter
  local strict
  strict=$(entry)
  cp "$strict" "$TEST_DIR/good"
  forge_entry "$(basename "$strict")" "$strict" "$TEST_DIR/loose"
  run_probe "$STRICT"
  assert_success
  assert_output_contains made
  [[ "$stderr" == *"seccomp cache: hit"* ]]
  rm -rf "$BUNDLE/rootfs/tmp/d"
  PLANTED=$strict
}

@test "a cold and a warm cache give the container the same filter" {
  run_probe "$STRICT"
  assert_strict_filter
  [[ "$stderr" == *"seccomp cache: stored"* ]]
  e=$(entry)
  [ "$(stat -c '%u %a' "$CACHE")" = "0 700" ]
  [ "$(stat -c '%u %a' "$e")" = "0 600" ]
  run_probe "$STRICT"
  assert_strict_filter
  [[ "$stderr" == *"seccomp cache: hit $(basename "$e")"* ]]
  [ "$(entry)" = "$e" ]
}

@test "another profile gets another entry" {
  run_probe "$STRICT"
  assert_success
  cfg_edit '.linux.seccomp.syscalls[0].errnoRet = 72'
  rtd run --bundle "$BUNDLE" "$ID"
  assert_success
  assert_output_contains "Multihop attempted"
  [ "$(ls "$CACHE" | wc -l)" = 2 ]
}

@test "the program in the cache entry is the one the container gets" {
  plant_loose_entry
  # Shown inside plant_loose_entry: the planted program let mkdir through.
  [ -f "$PLANTED" ]
}

@test "a corrupted cache entry is ignored and replaced" {
  run_probe "$STRICT"
  e=$(entry)
  cp "$e" "$TEST_DIR/good"
  # One byte of the program flipped.
  printf '\xff' | dd of="$e" bs=1 seek=100 conv=notrunc status=none
  run_probe "$STRICT"
  assert_strict_filter
  [[ "$stderr" == *"ignored: checksum mismatch"* ]]
  cmp "$e" "$TEST_DIR/good"
  # Cut short, as by a crash mid-write.
  truncate -s 50 "$e"
  run_probe "$STRICT"
  assert_strict_filter
  [[ "$stderr" == *"ignored: shorter than its header"* ]]
  cmp "$e" "$TEST_DIR/good"
}

@test "a cache dir owned by another user is not used" {
  plant_loose_entry
  chown -R 65534:65534 "$CACHE"
  run_probe "$STRICT"
  assert_strict_filter
  [[ "$stderr" == *"is owned by another user"* ]]
  # Not written either: the planted entry is as it was.
  [ "$(stat -c %u "$PLANTED")" = 65534 ]
  ! cmp -s "$PLANTED" "$TEST_DIR/good"
}

@test "a cache dir writable by others is not used" {
  plant_loose_entry
  chmod 0777 "$CACHE"
  run_probe "$STRICT"
  assert_strict_filter
  [[ "$stderr" == *"is writable by group or others"* ]]
  ! cmp -s "$PLANTED" "$TEST_DIR/good"
  chmod 0770 "$CACHE"
  run_probe "$STRICT"
  assert_strict_filter
}

@test "a cache entry owned by another user or writable by others is ignored and replaced" {
  plant_loose_entry
  chown 65534:65534 "$PLANTED"
  run_probe "$STRICT"
  assert_strict_filter
  [[ "$stderr" == *"ignored: owned by another user"* ]]
  cmp "$PLANTED" "$TEST_DIR/good"
  [ "$(stat -c %u "$PLANTED")" = 0 ]
  forge_entry "$(basename "$PLANTED")" "$PLANTED" "$TEST_DIR/loose"
  chmod 0666 "$PLANTED"
  run_probe "$STRICT"
  assert_strict_filter
  [[ "$stderr" == *"ignored: writable by group or others"* ]]
  cmp "$PLANTED" "$TEST_DIR/good"
}

@test "a symlink in place of the cache dir is not followed" {
  plant_loose_entry
  mv "$CACHE" "$TEST_DIR/elsewhere"
  ln -s "$TEST_DIR/elsewhere" "$CACHE"
  run_probe "$STRICT"
  assert_strict_filter
  [[ "$stderr" == *"seccomp cache: not used"* ]]
  [ -L "$CACHE" ]
}

@test "a read-only or full cache dir still runs the container" {
  mkdir -p "$CACHE"
  mount -t tmpfs -o ro,mode=0700 tmpfs "$CACHE"
  run_probe "$STRICT"
  assert_strict_filter
  [[ "$stderr" == *"not written"* ]]
  umount "$CACHE"
  mount -t tmpfs -o size=4k,mode=0700 tmpfs "$CACHE"
  dd if=/dev/zero of="$CACHE/filler" bs=1k count=8 status=none 2>/dev/null || true
  run_probe "$STRICT"
  assert_strict_filter
  [[ "$stderr" == *"not written"* ]]
  # No temp file is left behind.
  [ "$(ls -A "$CACHE")" = filler ]
}

@test "exec uses the cache, and still runs on a read-only --root" {
  cfg_edit ".linux.seccomp = $STRICT"
  create_started
  rm -rf "$CACHE"
  mount --bind "$STATE_ROOT" "$STATE_ROOT"
  mount -o remount,bind,ro "$STATE_ROOT"
  rtd exec "$ID" sh -c "$PROBE_SH"
  assert_strict_filter
  [[ "$stderr" == *"seccomp cache: not used"* ]]
  umount "$STATE_ROOT"
  rtd exec "$ID" sh -c "$PROBE_SH"
  assert_strict_filter
  [[ "$stderr" == *"seccomp cache: stored"* ]]
  rtd exec "$ID" sh -c "$PROBE_SH"
  assert_strict_filter
  [[ "$stderr" == *"seccomp cache: hit"* ]]
}

@test "exec on a hit keeps the saved profile's flags and the rest of the config" {
  # LOG changes the load's flags: they come from the entry's header.
  local prof
  prof=$(jq -c '.flags = ["SECCOMP_FILTER_FLAG_LOG"]' <<<"$STRICT")
  cfg_edit ".linux.seccomp = $prof | .process.env += [\"MARK=kept\"] | .process.cwd = \"/tmp\""
  create_started
  rtd exec "$ID" sh -c "$PROBE_SH; echo \$MARK; pwd"
  assert_strict_filter
  [[ "$stderr" == *"seccomp cache: hit"* ]]
  assert_output_contains kept
  [ "${lines[${#lines[@]} - 1]}" = /tmp ]
  local e
  e=$(entry)
  # SECCOMP_FILTER_FLAG_LOG is 2: the flag word of the header.
  [ "$(head -c 16 "$e" | tail -c 4 | od -An -tu4 | tr -d ' ')" = 2 ]
}

@test "exec parses the whole profile when the saved config is not plain" {
  # A second, escaped spelling of "seccomp" in linux: json-c takes the
  # last one, a byte scanner could take the first. exec must not guess.
  cfg_edit ".linux.seccomp = $STRICT"
  create_started
  local saved=$STATE_ROOT/$ID/config.json
  jq -c . "$saved" | sed 's/"linux":{/"linux":{"secc\\u006fmp":{"defaultAction":"SCMP_ACT_ALLOW"},/' \
    >"$saved.new"
  # The escaped member comes first, so STRICT is still the one in effect.
  jq -e '.linux.seccomp.syscalls | length == 1' "$saved.new"
  mv "$saved.new" "$saved"
  rtd exec "$ID" sh -c "$PROBE_SH"
  assert_strict_filter
  # Not looked up by its bytes: compiled from the parsed profile.
  [[ "$stderr" != *"seccomp cache: hit"* ]]
  [[ "$stderr" == *"instructions ready in"*"(compiled)"* ]]
}

@test "a hit touches an entry's mtime only when it is a minute old" {
  cfg_edit ".linux.seccomp = $STRICT"
  create_started
  rtd exec "$ID" sh -c "$PROBE_SH"
  entry=$(ls "$CACHE" | grep -E '^[0-9a-f]{64}$')
  [ -n "$entry" ]
  # An entry last used long ago is touched by the hit (LRU order for pruning).
  touch -d '@1000000' "$CACHE/$entry"
  rtd exec "$ID" sh -c "$PROBE_SH"
  [[ "$stderr" == *"seccomp cache: hit"* ]]
  [ "$(stat -c %Y "$CACHE/$entry")" -gt $(($(date +%s) - 60)) ]
  # One used 20 s ago is not written again.
  recent=$(($(date +%s) - 20))
  touch -d "@$recent" "$CACHE/$entry"
  rtd exec "$ID" sh -c "$PROBE_SH"
  [[ "$stderr" == *"seccomp cache: hit"* ]]
  [ "$(stat -c %Y "$CACHE/$entry")" = "$recent" ]
}

@test "the cache keeps the 64 most recently used entries" {
  mkdir -m 0700 -p "$CACHE"
  for i in $(seq 1 70); do
    f=$CACHE/$(printf '%064x' "$i")
    : >"$f"
    touch -d "@$((1000000 + i))" "$f"
  done
  run_probe "$STRICT"
  assert_strict_filter
  [ "$(ls "$CACHE" | wc -l)" = 64 ]
  # The seven oldest went; the newest fake one and ours stayed.
  [ ! -e "$CACHE/$(printf '%064x' 7)" ]
  [ -e "$CACHE/$(printf '%064x' 8)" ]
  [ -e "$CACHE/$(printf '%064x' 70)" ]
  [[ "$stderr" == *"removed 7 least recently used entries"* ]]
}

@test "podman's default profile is in effect from a cold and a warm cache" {
  profile=/usr/share/containers/seccomp.json
  [ -r "$profile" ] || skip "no $profile (package golang-github-containers-common)"
  [ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"
  command -v gcc >/dev/null || skip "no C compiler for tests/lib/probe.c"
  gcc -static -O2 -o "$BUNDLE/rootfs/bin/probe" "$BATS_TEST_DIRNAME/../lib/probe.c"
  # Converted as podman does for amd64 and its default capabilities
  # (containers/common setupSeccomp): its three architectures, the rules
  # whose includes/excludes hold.
  oci=$(jq --argjson caps '["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
      "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",
      "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"]' '
    def has($c): $caps | index([$c]) != null;
    {defaultAction, defaultErrnoRet,
     architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
     syscalls: [.syscalls[]
      | select(((.includes.arches // []) | length == 0 or index(["amd64"]) != null)
          and ((.excludes.arches // []) | index(["amd64"]) == null)
          and all((.includes.caps // [])[]; has(.))
          and any((.excludes.caps // [])[]; has(.)) == false)
      | {names, action} + (if .errnoRet then {errnoRet} else {} end)
      + (if (.args // []) | length > 0 then {args: [.args[] | {index, value, op}
          + (if (.valueTwo // 0) != 0 then {valueTwo} else {} end)]} else {} end)]}' "$profile")
  [ "$(echo "$oci" | jq '[.syscalls[].names | length] | add')" -gt 300 ]
  cfg_edit ".linux.seccomp = $oci"
  # Each answer differs from the unfiltered one (in brackets, on this
  # machine): socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT) EINVAL by an
  # argument rule (ok 3), perf_event_open(NULL, ...) EPERM by rule (EFAULT),
  # kexec_load EPERM by rule (ENOSYS); getpid is allowed.
  set_sh 'grep Seccomp: /proc/self/status; probe sys 41 16 3 9; probe sys 298 0 0 -1 -1 0; probe sys 246; probe sys 39'
  for round in cold warm; do
    rtd run --bundle "$BUNDLE" "$ID"
    assert_success
    [ "${lines[0]}" = "$(printf 'Seccomp:\t2')" ]
    [ "${lines[1]}" = "errno 22" ]
    [ "${lines[2]}" = "errno 1" ]
    [ "${lines[3]}" = "errno 1" ]
    [[ "${lines[4]}" == "ok "* ]]
  done
  [[ "$stderr" == *"seccomp cache: hit"* ]]
}
