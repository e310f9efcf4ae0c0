#!/bin/bash
# A private containerd (and, with `docker`, a dockerd on top of it) for the
# client tests: state, sockets and run dirs under the world dir $2, both
# daemons inside a throwaway mount/network/ipc/uts namespace with a tmpfs on
# /run, so nothing touches the host's /run, /etc/docker, /var/lib, network
# or iptables.
#
#   containerd-world.sh start DIR [docker]   starts the daemons, waits for
#                                            their sockets
#   containerd-world.sh stop DIR             kills every process of the
#                                            namespace (by pid), removes
#                                            the cgroups and DIR
#
# The clients run outside the namespace: containerd's and dockerd's sockets
# are files under DIR, which the host sees.
set -u
cmd=$1
dir=$2
# The configuration snippets users are given (docs/clients-guide.md).
contrib=$(cd "$(dirname "$0")/../../../contrib/clients" && pwd)

wait_for_socket() { # path pid name
  local i
  for i in $(seq 1 300); do
    [ -S "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited; see $dir/$3.log" >&2; tail -20 "$dir/$3.log" >&2; return 1; }
    sleep 0.1
  done
  echo "$3: no socket $1 after 30s" >&2
  tail -20 "$dir/$3.log" >&2
  return 1
}

write_containerd_config() {
  cat > "$dir/containerd.toml" <<EOT
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  level = "info"
[plugins."io.containerd.grpc.v1.cri"]
  # No CAP_SYS_RESOURCE here: the CRI plugin must not lower oom_score_adj.
  restrict_oom_score_adj = true
  disable_cgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$dir/cni/bin"
    conf_dir = "$dir/cni/conf"
EOT
  # The runtime block is the one docs/clients-guide.md tells users to add.
  sed "s|/usr/sbin/minirt|$RUNTIME|" "$contrib/containerd-cri.toml" >> "$dir/containerd.toml"
}

# The namespace's first process mounts the private /run and then becomes
# containerd; its pid names the namespace for nsenter and for the stop.
start() {
  mkdir -p "$dir/containerd" "$dir/cni/bin" "$dir/cni/conf"
  write_containerd_config
  unshare -m -n -i -u --propagation private -- sh -c '
    mount -t tmpfs -o mode=755 tmpfs /run || exit 1
    [ -d /etc/docker ] && mount -t tmpfs -o mode=755 tmpfs /etc/docker
    ip link set lo up 2>/dev/null
    # A new network namespace starts with forwarding off (it inherits the
    # host, which on a fresh machine has it off); dockerd then adds a
    # networking warning to every `docker run`. Forwarding in this private
    # namespace reaches nothing.
    echo 1 > /proc/sys/net/ipv4/ip_forward || exit 1
    exec containerd --config "$1"' sh "$dir/containerd.toml" \
    </dev/null >"$dir/containerd.log" 2>&1 3>&- &
  echo $! > "$dir/containerd.pid"
  wait_for_socket "$dir/containerd.sock" "$(cat "$dir/containerd.pid")" containerd || return 1
  [ "${1:-}" = docker ] || return 0
  mkdir -p "$dir/docker/data" "$dir/docker/exec"
  # The daemon.json of docs/clients-guide.md.
  sed "s|/usr/sbin/minirt|$RUNTIME|" "$contrib/docker-daemon.json" > "$dir/daemon.json"
  nsenter -t "$(cat "$dir/containerd.pid")" -m -n -i -u -- \
    dockerd --containerd "$dir/containerd.sock" \
    --data-root "$dir/docker/data" --exec-root "$dir/docker/exec" \
    --pidfile "$dir/dockerd.pid" -H "unix://$dir/docker.sock" \
    --iptables=false --ip6tables=false --bridge=none --ip-forward=false \
    --ip-masq=false --userland-proxy=false --storage-driver=vfs \
    --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$CG_PARENT" \
    --config-file "$dir/daemon.json" \
    </dev/null >"$dir/dockerd.log" 2>&1 3>&- &
  echo $! > "$dir/dockerd.nsenter.pid"
  wait_for_socket "$dir/docker.sock" "$(cat "$dir/dockerd.nsenter.pid")" dockerd
}

ns_pids() { # every process in the namespace of pid $1
  local ns p
  ns=$(readlink "/proc/$1/ns/mnt" 2>/dev/null) || return 0
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ] && echo "${p#/proc/}"
  done
}

stop() {
  local pid p i
  [ -f "$dir/containerd.pid" ] || { rm -rf "$dir"; return 0; }
  pid=$(cat "$dir/containerd.pid")
  # dockerd first, politely, so it stops its containers and shims.
  if [ -f "$dir/dockerd.pid" ]; then
    p=$(cat "$dir/dockerd.pid")
    kill "$p" 2>/dev/null
    for i in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  fi
  # Then everything left in the namespace (shims, containers, containerd).
  for i in 1 2 3; do
    p=$(ns_pids "$pid")
    [ -n "$p" ] || break
    kill -9 $p 2>/dev/null
    sleep 0.2
  done
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  # The namespace and its mounts die with its last process; rootfs mounts
  # the daemons made are gone with it. Remove the cgroups of the world.
  # Container processes live in their own namespaces: find them by cgroup
  # (thawed first: frozen tasks do not die on v1).
  local h f
  for f in /sys/fs/cgroup/freezer/"$CG_PARENT"/*/freezer.state; do
    [ -f "$f" ] && echo THAWED > "$f" 2>/dev/null
  done
  for i in 1 2 3; do
    p=$(cat /sys/fs/cgroup/*/"$CG_PARENT"/cgroup.procs /sys/fs/cgroup/*/"$CG_PARENT"/*/cgroup.procs 2>/dev/null | sort -u)
    [ -n "$p" ] || break
    kill -9 $p 2>/dev/null
    sleep 0.2
  done
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$h$CG_PARENT" ] && find "$h$CG_PARENT" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  rm -rf "$dir"
  return 0
}

case $cmd in
  start) start "${3:-}" ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR [docker]" >&2; exit 2 ;;
esac
