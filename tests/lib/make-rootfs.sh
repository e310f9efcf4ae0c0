#!/bin/sh
# Makes a busybox rootfs in $1 from Debian's busybox-static: the busybox
# binary in /bin and one link per applet (skipping the `busybox` entry).
set -eu
dest=$1
bb=$(command -v busybox || echo /bin/busybox)
mkdir -p "$dest/bin" "$dest/etc" "$dest/tmp" "$dest/root" "$dest/home/user" \
  "$dest/proc" "$dest/sys" "$dest/dev" "$dest/usr/bin" "$dest/sbin" "$dest/usr/sbin"
cp "$bb" "$dest/bin/busybox"
for applet in $("$bb" --list); do
  [ "$applet" = busybox ] && continue
  ln -sf busybox "$dest/bin/$applet"
done
cat > "$dest/etc/passwd" <<'EOT'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOT
cat > "$dest/etc/group" <<'EOT'
root:x:0:
user:x:1000:
nogroup:x:65534:
EOT
chmod 1777 "$dest/tmp"
chown 1000:1000 "$dest/home/user"
