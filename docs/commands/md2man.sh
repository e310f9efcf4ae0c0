#!/bin/sh
# md2man.sh PAGE.md OUT.8 VERSION [EXEC.md]: the man page of a
# docs/commands/ page, in roff, by go-md2man (the converter runc uses for
# its man pages; Debian package go-md2man). These Markdown pages are the
# one source of both the web reference and the man pages; this script only
# adapts what Markdown has and roff lacks:
# - the first line `# minirt-exec(8)` becomes the title line (.TH), and
#   NAME names the page (`minirt-exec - ...`) as whatis(1) expects;
# - links keep their text (`[create](minirt-create.md)` -> `create`);
# - tables become definition lists (roff tables of long cells are wider
#   than a terminal);
# - with EXEC.md (docs/exec.md), its merge table section goes into the page
#   before EXIT STATUS, so that `man minirt-exec` carries the contract;
# - a SEE ALSO section names minirt(8) and docs/exec.md.
set -eu
in=$1 out=$2 version=$3 exec_md=${4:-}
page=$(basename "$in" .md)
tmp=$out.md
{
  printf '%% %s 8 "" "minirt %s" "System Administration"\n' "$page" "$version"
  # NAME says `minirt exec - ...`; whatis(1) wants the page's name:
  # `minirt-exec - ...`.
  sed -e 1d -e '/^## EXIT STATUS/,$d' \
    -e '/^## NAME/,/^## /s/^minirt \([a-z]*\) - /minirt-\1 - /' "$in"
  if [ -n "$exec_md" ]; then
    printf '## THE MERGE TABLE\n\n'
    printf 'From docs/exec.md, which has the full contract.\n\n'
    # The section up to the next heading, without its own heading.
    sed -n '/^## The merge table, as implemented/,/^## /p' "$exec_md" |
      sed -e 1d -e '$d'
  fi
  sed -n '/^## EXIT STATUS/,$p' "$in"
  printf '\n## SEE ALSO\n\n'
  if [ "$page" = minirt ]; then
    printf '%s\n' "$(ls "$(dirname "$in")" | sed -n 's/^\(minirt-.*\)\.md$/**\1**(8)/p' | paste -sd, - | sed 's/,/, /g')"
  else
    printf '**minirt**(8), docs/exec.md, docs/commands/ in the minirt sources\n'
  fi
} | sed -e 's/\[\([^]]*\)\]([^)]*)/\1/g' -e 's/\\|/\x01/g' | awk -F'|' '
  # A table wider than two columns does not fit 80 columns of roff: each
  # row becomes a definition-list entry, the header row naming the parts.
  /^\|---/ { next }
  /^\|/ {
    for (i = 2; i < NF; i++) {
      gsub(/^ +/, "", $i); gsub(/ +$/, "", $i); gsub(/\x01/, "|", $i)
    }
    if (!n++) { for (i = 3; i < NF; i++) head[i] = $i; next }
    printf "%s\n:", $2
    if (NF == 4) { printf " %s\n\n", $3; next }
    for (i = 3; i < NF; i++)
      printf "%s*%s*: %s", (i > 3 ? "; " : " "), head[i], $i
    printf ".\n\n"
    next
  }
  { n = 0; print }' >"$tmp"
go-md2man -in "$tmp" -out "$out"
rm -f "$tmp"
