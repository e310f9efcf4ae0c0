#!/bin/sh
# Prints the `linux.seccomp` object that podman puts into a container's
# config.json, made from podman's default profile the way podman makes it.
#
#   bench/podman-seccomp.sh [--profile FILE] [--arch ARCH] [--caps "CAP_A CAP_B ..."]
#
# FILE defaults to /usr/share/containers/seccomp.json (Debian package
# golang-github-containers-common, pulled in by podman), ARCH to this
# machine's (Debian name: amd64, arm64, ...), the capabilities to podman's
# default set (containers.conf `default_capabilities`).
#
# The profile is not OCI: its rules carry `includes`/`excludes` conditions on
# the architecture and on the container's capabilities, and an `archMap`.
# The conversion follows containers/common's setupSeccomp (pkg/seccomp):
#   - architectures: the archMap entry of the native architecture and its
#     subArchitectures (amd64: x86_64, x86, x32);
#   - a rule is dropped when `excludes.arches` names ARCH, when
#     `excludes.caps` names a capability the container has, when
#     `includes.arches` does not name ARCH, or when `includes.caps` names one
#     it lacks;
#   - each remaining rule becomes one OCI rule with all its names.
# For podman 4.3.1 on amd64 with the default capabilities this gives the same
# object as podman's own config.json (22 rules, 437 names).
set -eu

profile=/usr/share/containers/seccomp.json
arch=""
caps="CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID CAP_KILL CAP_NET_BIND_SERVICE
CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_CHROOT"
while [ $# -gt 0 ]; do
  case $1 in
  --profile) profile=$2; shift ;;
  --arch) arch=$2; shift ;;
  --caps) caps=$2; shift ;;
  -h | --help) sed -n '2,11{s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  *) echo "podman-seccomp: unknown argument \`$1'" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$arch" ]; then
  arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
fi
# Debian/Go architecture name -> libseccomp's, as the archMap spells it.
case $arch in
amd64 | x86_64) arch=amd64; scmp=SCMP_ARCH_X86_64 ;;
arm64 | aarch64) arch=arm64; scmp=SCMP_ARCH_AARCH64 ;;
i386 | 386 | x86) arch=x86; scmp=SCMP_ARCH_X86 ;;
armhf | armel | arm) arch=arm; scmp=SCMP_ARCH_ARM ;;
ppc64el | ppc64le) arch=ppc64le; scmp=SCMP_ARCH_PPC64LE ;;
s390x) scmp=SCMP_ARCH_S390X ;;
mips64el) arch=mips64le; scmp=SCMP_ARCH_MIPSEL64 ;;
riscv64) scmp=SCMP_ARCH_RISCV64 ;;
*) echo "podman-seccomp: unknown architecture \`$arch'" >&2; exit 2 ;;
esac
[ -r "$profile" ] || { echo "podman-seccomp: cannot read \`$profile'" >&2; exit 1; }

jq --arg arch "$arch" --arg scmp "$scmp" --arg caps "$caps" '
  ($caps | [splits("[\\s,]+") | select(. != "")]) as $caps
  | def has_all($l): all(($l // [])[]; . as $c | $caps | index([$c]) != null);
    def has_any($l): any(($l // [])[]; . as $c | $caps | index([$c]) != null);
    def names_arch($l): ($l // []) | index([$arch]) != null;
    # Optional fields stay out when empty, as in podman'"'"'s JSON.
    def rule: {names: ((.names // []) + (if (.name // "") != "" then [.name] else [] end)),
                action: .action}
      + (if (.args // []) | length > 0
         then {args: [.args[] | {index, value, op}
                       + (if (.valueTwo // 0) != 0 then {valueTwo} else {} end)]}
         else {} end)
      + (if .errnoRet != null then {errnoRet} else {} end);
  {defaultAction}
  + (if .defaultErrnoRet != null then {defaultErrnoRet} else {} end)
  + {architectures: (
      if (.architectures // []) | length > 0 then .architectures
      else [(.archMap // [])[] | select(.architecture == $scmp)
            | [.architecture] + (.subArchitectures // [])] | add // []
      end)}
  + {syscalls: [.syscalls[]
      | select((.excludes.arches | names_arch(.)) | not)
      | select(has_any(.excludes.caps) | not)
      | select((.includes.arches // []) | length == 0 or names_arch(.))
      | select(has_all(.includes.caps))
      | rule]}' "$profile"
