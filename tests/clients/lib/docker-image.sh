#!/bin/sh
# Writes a one-layer image of the busybox rootfs $1 as a `docker save`
# archive $2 tagged $3: manifest.json, the image config and the layer tar.
# Both `docker load` and `ctr images import` read this format, so the
# client tests need no registry.
set -eu
rootfs=$1
out=$2
tag=$3
work=$(mktemp -d /tmp/minirt-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
# A fixed owner and mtime keep the layer digest stable between runs.
tar -C "$rootfs" --sort=name --owner=0 --group=0 --numeric-owner \
  --mtime=@0 -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir "$work/$diff_id"
mv "$work/layer.tar" "$work/$diff_id/layer.tar"
cat > "$work/config.json" <<EOT
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
           "Cmd":["sh"],"WorkingDir":"/"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"tests/clients/lib/docker-image.sh"}]}
EOT
config_id=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' \
  "$config_id" "$tag" "$diff_id" > "$work/manifest.json"
tar -C "$work" -cf "$out" manifest.json "$config_id.json" "$diff_id"
