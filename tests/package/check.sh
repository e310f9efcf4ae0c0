#!/bin/bash
# The Debian package, as a user gets it (TAP): dpkg-buildpackage -us -uc -b
# on a copy of the tree, lintian without errors or warnings, dpkg -i, then
# the installed minirt: --version, its man pages, completion, the podman
# drop-in; dpkg --purge at the end (also on failure), so the machine is
# left as found. Refuses to run when a minirt package or /usr/sbin/minirt
# is already there: that one is not ours to replace or remove.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/minirt-pkg.XXXXXX)
log=$work/log
n=0
installed=0

cleanup() {
  if [ "$installed" = 1 ]; then
    dpkg --purge minirt >>"$log" 2>&1 || echo "# dpkg --purge minirt failed"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

check() { # description command...
  local d=$1
  shift
  n=$((n + 1))
  if "$@" >>"$log" 2>&1; then
    echo "ok $n $d"
  else
    echo "not ok $n $d"
    tail -25 "$log" | sed 's/^/# /'
  fi
}

if dpkg-query -W -f='${Status}' minirt 2>/dev/null | grep -q "ok installed" ||
  [ -e /usr/sbin/minirt ]; then
  echo "1..1"
  echo "not ok 1 a minirt package or /usr/sbin/minirt is already installed; not touching it"
  exit 1
fi

echo "1..9"
# The tree as committed plus untracked files, without build directories.
mkdir "$work/src"
(cd "$top" && git ls-files -co --exclude-standard -z |
  grep -zv -e '^build' -e '^tests/tmp/' | xargs -0 tar cf - 2>/dev/null) |
  tar xf - -C "$work/src"

build() {
  cd "$work/src" && dpkg-buildpackage -us -uc -b && ls "$work"/minirt_*.deb
}
check "dpkg-buildpackage -us -uc -b builds minirt_*.deb" build
deb=$(ls "$work"/minirt_*.deb 2>/dev/null | head -1)
changes=$(ls "$work"/minirt_*.changes 2>/dev/null | head -1)

lint() {
  [ -n "$changes" ] || return 1
  # lintian leaves its mldbm-* temp files behind: in our dir, not /tmp.
  mkdir -p "$work/tmp"
  TMPDIR=$work/tmp lintian --fail-on error,warning --no-tag-display-limit "$changes" |
    tee "$work/lintian.txt"
  ! grep -E '^(E|W): ' "$work/lintian.txt"
}
check "lintian reports no error and no warning" lint

install_deb() {
  [ -n "$deb" ] && dpkg -i "$deb" && installed=1
}
check "dpkg -i installs it" install_deb

version() {
  /usr/sbin/minirt --version | tee "$work/version" &&
    grep -qx "minirt version $(sed -n "s/^minirt (\(.*\)).*/\1/p;q" "$top/debian/changelog")" "$work/version"
}
check "/usr/sbin/minirt --version names the package's version" version

man_pages() {
  [ "$(man -w minirt-exec)" = /usr/share/man/man8/minirt-exec.8.gz ] &&
    man minirt-exec | grep -q "THE MERGE TABLE" &&
    for md in "$top"/docs/commands/*.md; do
      man -w "$(basename "$md" .md)" || return 1
    done
}
check "man -w minirt-exec; a man page for every docs/commands page; exec's has the merge table" man_pages

podman_dropin() {
  for f in /usr/share/containers/containers.conf.d/50-minirt.conf \
    /etc/containers/containers.conf.d/50-minirt.conf; do
    grep -qx 'minirt = \["/usr/sbin/minirt"\]' "$f" || return 1
  done
}
check "the podman drop-in registers /usr/sbin/minirt" podman_dropin

completion() {
  bash -c 'source /usr/share/bash-completion/completions/minirt && complete -p minirt' &&
    [ -s /usr/share/zsh/vendor-completions/_minirt ] &&
    [ -s /usr/share/fish/vendor_completions.d/minirt.fish ]
}
check "bash, zsh and fish completion are installed where the shells look" completion

purge() {
  dpkg --purge minirt && installed=0 && [ ! -e /usr/sbin/minirt ] &&
    [ ! -e /etc/containers/containers.conf.d/50-minirt.conf ] &&
    [ ! -e /usr/share/containers/containers.conf.d/50-minirt.conf ]
}
check "dpkg --purge removes the binary and both drop-ins" purge

left() {
  ! dpkg-query -W minirt 2>/dev/null | grep -q . || dpkg-query -W -f='${Status}\n' minirt | grep -q "not-installed"
}
check "no minirt package is left registered" left
