#!/bin/bash
# The include rule of docs/architecture.md, checked on the source tree:
# includes run only down the layers
#   cli > core > linux (top) > linux/{cgroup,rootfs,process} > linux/dbus,
#   spec > util
# or sideways inside one folder; a file of another subsystem folder at the
# same level is reached only through that folder's face header (cgroup.h,
# rootfs.h, process.h), never its internal ones. Prints TAP, one test per
# rule, and names every include that breaks one.
#   tests/layers/check.sh [BUILD_DIR]
# With BUILD_DIR (a built tree), also: no circle of calls between the
# files of libminirt (read with nm: who defines and who uses each symbol),
# which a shared header would hide from the include rule.
set -u
build=${1:-}
cd "$(dirname "$0")/../.."

level() { # path relative to src -> number (higher calls lower)
  case $1 in
    cli/*) echo 5 ;;
    core/*) echo 4 ;;
    linux/cgroup/* | linux/rootfs/* | linux/process/*) echo 2 ;;
    linux/dbus/*) echo 1 ;; # a D-Bus client below the subsystems (systemd.c)
    linux/*) echo 3 ;;
    spec/*) echo 1 ;;
    util/*) echo 0 ;;
    *) echo 9 ;;
  esac
}

faces="linux/cgroup/cgroup.h linux/rootfs/rootfs.h linux/process/process.h"

up="" unknown="" private=""
while IFS= read -r f; do
  from=${f#src/}
  fl=$(level "$from")
  fdir=$(dirname "$from")
  while IFS= read -r inc; do
    [ -n "$inc" ] || continue
    [ -f "src/$inc" ] || { unknown+=" $from->$inc"; continue; }
    tl=$(level "$inc")
    tdir=$(dirname "$inc")
    [ "$tdir" = "$fdir" ] && continue
    if [ "$tl" -gt "$fl" ]; then
      up+=" $from->$inc"
    elif [ "$tl" -eq "$fl" ] && [ "$tl" -eq 2 ]; then
      case " $faces " in *" $inc "*) ;; *) private+=" $from->$inc" ;; esac
    elif [ "$tl" -eq "$fl" ]; then
      up+=" $from->$inc"
    elif [ "$tl" -eq 2 ]; then
      case " $faces " in *" $inc "*) ;; *) private+=" $from->$inc" ;; esac
    fi
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | grep -v '^config.h$')
done < <(find src -name '*.[ch]' | sort)

cycles=""
if [ -n "$build" ]; then
  lib=$(find "$build" -maxdepth 1 -name 'libminirt.a' | head -n 1)
  if [ -z "$lib" ]; then
    cycles=" no-libminirt.a-in-$build"
  else
    # "file symbol" for definitions (D) and uses (U), one line each.
    cycles=$(nm -A "$lib" 2>/dev/null | awk '
      # "LIB:OBJECT:ADDRESS TYPE SYMBOL" (no address for U).
      NF == 3 { split($1, a, ":"); f = a[2]; sub(/.*\//, "", f)
        sub(/\.c\.o$/, "", f); sub(/^src_/, "", f) }
      NF == 3 && $2 ~ /^[TDBR]$/ { def[$3] = f }
      NF == 3 && $2 == "U" { use[f, $3] = 1 }
      END {
        for (k in use) { split(k, p, SUBSEP); t = def[p[2]]
          if (t != "" && t != p[1] && !((p[1], t) in edge)) { edge[p[1], t] = 1; out[p[1]] = out[p[1]] " " t } }
        # Depth-first search from each file; a grey node met again is a circle.
        for (n in out) if (!(n in color)) visit(n, "")
      }
      function visit(n, path,   i, m, k, c) {
        color[n] = 1
        m = split(out[n], k, " ")
        for (i = 1; i <= m; i++) {
          # (test membership first: reading color[x] would create it)
          if (!(k[i] in color)) visit(k[i], path ">" n)
          else if (color[k[i]] == 1) {
            c = path ">" n ">"
            c = substr(c, index(c, ">" k[i] ">") + 1)
            printf " %s%s", c, k[i]
          }
        }
        color[n] = 2
      }')
  fi
fi

echo "1..$([ -n "$build" ] && echo 4 || echo 3)"
report() { # n name list
  if [ -z "$3" ]; then echo "ok $1 $2"; else echo "not ok $1 $2"; for x in $3; do echo "#   $x"; done; fi
}
report 1 "every include names a file of src/" "$unknown"
report 2 "includes run down the layers or stay in their folder" "$up"
report 3 "other folders reach a subsystem only through its face header" "$private"
[ -z "$build" ] || report 4 "no circle of calls between the files of libminirt" "$cycles"
