#!/usr/bin/env bats
# features: what this minirt supports, as runtime-spec features.md JSON.

load helpers

@test "features prints the runtime-spec keys" {
  rt features
  assert_success
  echo "$output" | jq -e '.ociVersionMin and .ociVersionMax and (.hooks | length > 0)
    and (.mountOptions | length > 0) and .linux.namespaces and .linux.capabilities
    and .linux.cgroup and .linux.seccomp' >/dev/null
  [ "$(echo "$output" | jq -r .ociVersionMin)" = 1.0.0 ]
}

@test "features lists the six hook kinds and the mount options we parse" {
  rt features
  [ "$(echo "$output" | jq -c '.hooks | sort')" = \
    '["createContainer","createRuntime","poststart","poststop","prestart","startContainer"]' ]
  for o in ro nosuid nodev noexec bind rbind rprivate idmap; do
    echo "$output" | jq -e --arg o "$o" '.mountOptions | index($o)' >/dev/null
  done
}

@test "features is truthful about this host" {
  rt features
  f=$output
  # seccomp: the kernel has it, and the actions and archs we use are listed.
  grep -q '^Seccomp:' /proc/self/status
  [ "$(echo "$f" | jq .linux.seccomp.enabled)" = true ]
  echo "$f" | jq -e '.linux.seccomp.actions | index("SCMP_ACT_ERRNO")' >/dev/null
  echo "$f" | jq -e '.linux.seccomp.archs | index("SCMP_ARCH_X86_64")' >/dev/null
  # Every namespace listed exists in this kernel.
  for ns in $(echo "$f" | jq -r '.linux.namespaces[]'); do
    case $ns in network) ns=net ;; mount) ns=mnt ;; esac
    [ -e "/proc/self/ns/$ns" ]
  done
  # Capabilities: exactly the kernel's.
  [ "$(echo "$f" | jq '.linux.capabilities | length')" -eq $(( $(cat /proc/sys/kernel/cap_last_cap) + 1 )) ]
  # cgroup: v1 hierarchies are mounted here, and the v2 one.
  [ "$(echo "$f" | jq .linux.cgroup.v1)" = true ]
  [ "$(echo "$f" | jq .linux.cgroup.v2)" = true ]
  # systemd (and its user instance): always built in (minirt's own D-Bus
  # client), and --version says so.
  "$MINIRT" --version | grep -qw +SYSTEMD
  [ "$(echo "$f" | jq .linux.cgroup.systemd)" = true ]
  [ "$(echo "$f" | jq .linux.cgroup.systemdUser)" = true ]
  # LSMs: reported enabled only when the host has them.
  if [ -e /sys/kernel/security/apparmor ]; then ex=true; else ex=false; fi
  [ "$(echo "$f" | jq .linux.apparmor.enabled)" = "$ex" ]
}
