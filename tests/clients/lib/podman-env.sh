#!/bin/sh
# Writes a self-contained podman configuration under $1 (storage, run
# dirs, tmp, events) that runs containers with runtime $2 and cgroup
# manager $3 (default cgroupfs); writes the environment to source to $1/env.
set -eu
dir=$1
runtime=$2
manager=${3:-cgroupfs}
mkdir -p "$dir/root" "$dir/runroot" "$dir/tmp" "$dir/conf"
cat > "$dir/conf/storage.conf" <<EOT
[storage]
driver = "vfs"
graphroot = "$dir/root"
runroot = "$dir/runroot"
EOT
cat > "$dir/conf/containers.conf" <<EOT
[containers]
netns = "none"
cgroupns = "private"
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
log_driver = "k8s-file"

[engine]
runtime = "minirt"
cgroup_manager = "$manager"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp"
static_dir = "$dir/root/libpod"
volume_path = "$dir/root/volumes"
no_pivot_root = false

EOT
# The runtime table is the drop-in the package installs (contrib/podman/).
sed -e '/^#/d' -e "s|@SBINDIR@/minirt|$runtime|" \
  "$(dirname "$0")/../../../contrib/podman/50-minirt.conf.in" >> "$dir/conf/containers.conf"
cat > "$dir/env" <<EOT
export CONTAINERS_CONF=$dir/conf/containers.conf
export CONTAINERS_STORAGE_CONF=$dir/conf/storage.conf
export CONTAINERS_REGISTRIES_CONF=$dir/conf/registries.conf
export XDG_RUNTIME_DIR=$dir/xdg
export XDG_CONFIG_HOME=$dir/xdgconf
export XDG_DATA_HOME=$dir/xdgdata
export TMPDIR=$dir/tmp
EOT
mkdir -p "$dir/xdg" "$dir/xdgconf" "$dir/xdgdata"
printf 'unqualified-search-registries = []\n' > "$dir/conf/registries.conf"
