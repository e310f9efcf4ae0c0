#!/bin/zsh -f
# zsh-complete.zsh DIR LINE: prints, one a line, the matches zsh's
# completion offers for LINE (the word under the cursor is the last one)
# with the completion functions of DIR (e.g. a dir holding _minirt) in
# $fpath, as an interactive zsh would after compinit. ZLE needs a
# terminal, so the shell runs in a zpty; compadd is wrapped to write what
# it would add to a file.
dir=$1 line=$2
out=$(mktemp) rc=$(mktemp)
cat >$rc <<RC
PS1=''
fpath=($dir \$fpath)
autoload -U compinit && compinit -u -D
compadd() {
  if (( \${@[(I)-[OAD]]} )); then builtin compadd "\$@"; return; fi
  local -a hits
  builtin compadd -O hits "\$@"
  (( \$#hits )) && print -rl -- \$hits >>$out
  builtin compadd "\$@"
}
_capture_done() { print -r -- __done__ >>$out; }
comppostfuncs=(_capture_done)
bindkey '^I' complete-word
RC
zmodload zsh/zpty
zpty comp zsh -f -i
zpty -w comp "source $rc"
zpty -w -n comp "$line"$'\t'
for i in {1..100}; do
  grep -qx __done__ $out 2>/dev/null && break
  sleep 0.1
done
zpty -d comp
# (No EXIT trap: the zpty child is a fork of this shell and would run it.)
if ! grep -qx __done__ $out; then
  print -u2 "zsh-complete: no completion ran"
  rm -f $out $rc
  exit 1
fi
grep -vx __done__ $out | sort -u
rm -f $out $rc
