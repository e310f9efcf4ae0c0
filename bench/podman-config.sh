# shellcheck shell=bash disable=SC2154 # tmp, here, base_filter, cgparent come from bench/bench.sh
# The podman-like container of bench/bench.sh, sourced by it: writes the
# config templates podman-true, podman-sleep and the same two without their
# seccomp section into $tmp. Sets podman_nofile for the report.

podman_configs() {
  local f
  # podman's seccomp profile as podman converts it (podman-seccomp.sh), the
  # rest from bench/podman.jq. Its RLIMIT_NOFILE is podman's 1048576 unless our hard limit is lower and
  # cannot be raised (no CAP_SYS_RESOURCE): then every runtime would fail
  # with EPERM, so it is our hard limit.
  podman_nofile=1048576
  if ! (ulimit -Hn "$podman_nofile") 2>/dev/null; then
    podman_nofile=$(ulimit -Hn)
  fi
  "$here/podman-seccomp.sh" >"$tmp/podman-seccomp.json"
  cp -a "$tmp/rootfs" "$tmp/rootfs-podman"
  mkdir -p "$tmp/rootfs-podman/run" "$tmp/podman-files"
  for f in hostname hosts resolv.conf; do
    touch "$tmp/rootfs-podman/etc/$f"
  done
  touch "$tmp/rootfs-podman/run/.containerenv"
  echo bench >"$tmp/podman-files/hostname"
  printf '127.0.0.1 localhost\n::1 localhost\n' >"$tmp/podman-files/hosts"
  echo 'nameserver 127.0.0.1' >"$tmp/podman-files/resolv.conf"
  echo 'engine="podman-4.3.1"' >"$tmp/podman-files/containerenv"
  podman_filter="(\$seccomp[0]) as \$seccomp | .root.path = \"$tmp/rootfs-podman\" | $(grep -v '^#' "$here/podman.jq")"
  mk_podman() { # kind args-json [extra jq filter]
    jq --arg rootfs "$tmp/rootfs" --arg cg "$cgparent" --argjson args "$2" \
      --slurpfile seccomp "$tmp/podman-seccomp.json" --argjson nofile "$podman_nofile" \
      --arg files "$tmp/podman-files" \
      "$base_filter | $podman_filter ${3:+| $3}" "$tmp/spec/config.json" >"$tmp/config.$1.json"
  }
  mk_podman podman-true '["/bin/true"]'
  mk_podman podman-sleep '["sleep","1000"]'
  # The same without its seccomp section: what the filter itself costs.
  mk_podman podman-noseccomp-true '["/bin/true"]' 'del(.linux.seccomp)'
  mk_podman podman-noseccomp-sleep '["sleep","1000"]' 'del(.linux.seccomp)'
}
