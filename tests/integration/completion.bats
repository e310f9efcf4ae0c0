#!/usr/bin/env bats
# `minirt completion bash|zsh|fish`: the scripts load in their shell and
# complete commands, flags, flag values and the ids of the containers under
# the --root given on the line, all generated from the option tables.

load helpers

setup() {
  setup_minirt
  COMP_DIR=$TEST_DIR/completion
  mkdir -p "$COMP_DIR"
  "$MINIRT" completion bash >"$COMP_DIR/minirt.bash"
  "$MINIRT" completion zsh >"$COMP_DIR/_minirt"
  "$MINIRT" completion fish >"$COMP_DIR/minirt.fish"
  # The scripts call `minirt` by the name typed on the line.
  mkdir -p "$TEST_DIR/bin"
  ln -s "$(readlink -f "$MINIRT")" "$TEST_DIR/bin/minirt"
  export PATH=$TEST_DIR/bin:$PATH
}

# What bash completes for the words given (the last is the one being
# completed), one match a line, sorted.
bash_complete() {
  bash -c 'source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
    _minirt; printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$COMP_DIR/minirt.bash" "$@"
}

zsh_complete() { # "LINE"
  "$BATS_TEST_DIRNAME/../lib/zsh-complete.zsh" "$COMP_DIR" "$1"
}

fish_complete() { # "LINE"
  fish -c 'source $argv[1]; complete -C $argv[2]' "$COMP_DIR/minirt.fish" "$1" |
    cut -f1 | sort
}

# The spellings of the flags in the left column of --help, sorted.
help_flags() {
  grep -E '^  -' | awk '{ for (i = 1; i <= 2; i++) if ($i ~ /^-/) { sub(/,$/, "", $i); print $i } }' | sort
}

# Two containers under our --root, one created, one running.
two_containers() {
  minirt create --bundle "$BUNDLE" "$ID-a" </dev/null >/dev/null 2>&1
  minirt create --bundle "$BUNDLE" "$ID-b" </dev/null >/dev/null 2>&1
  minirt start "$ID-b"
}

@test "bash: the script loads and completes commands, flags, values and container ids" {
  run bash -n "$COMP_DIR/minirt.bash"
  assert_success
  run bash -c 'source "$1" && complete -p minirt' _ "$COMP_DIR/minirt.bash"
  assert_equal "$output" "complete -F _minirt minirt"
  run bash_complete minirt ex
  assert_equal "$output" exec
  run bash_complete minirt --root /x s
  assert_equal "$output" "$(printf 'spec\nstart\nstate')"
  run bash_complete minirt exec --e
  assert_equal "$output" "$(printf -- '--env\n--explain')"
  run bash_complete minirt exec --format ""
  assert_equal "$output" "$(printf 'json\ntable')"
  run bash_complete minirt --log-format = ""
  assert_equal "$output" "$(printf 'json\ntext')"
  run bash_complete minirt exec --cap CAP_NET_A
  assert_equal "$output" CAP_NET_ADMIN
  run bash_complete minirt kill c1 KI
  assert_equal "$output" KILL
  run bash_complete minirt completion ""
  assert_equal "$output" "$(printf 'bash\nfish\nzsh')"
  two_containers
  run bash_complete minirt --root "$STATE_ROOT" delete ""
  assert_equal "$output" "$(printf '%s\n' "$ID-a" "$ID-b")"
  run bash_complete minirt --root "$STATE_ROOT" exec -u 0 -e A=1 "$ID-b"
  assert_equal "$output" "$ID-b"
  # After the ID of exec, the words are the container's command: no flags.
  run bash_complete minirt --root "$STATE_ROOT" exec "$ID-b" --e
  assert_equal "$output" ""
  # Another --root, other containers (none).
  run bash_complete minirt --root "$TEST_DIR/empty" delete ""
  assert_equal "$output" ""
}

@test "bash: every flag that --help lists is completed, for minirt and each command" {
  run bash_complete minirt -
  [ "$output" = "$("$MINIRT" --help | help_flags)" ]
  n=0
  for cmd in $("$MINIRT" --help | awk '/^Commands:/ {on = 1; next} /^$/ {on = 0} on {print $1}'); do
    run bash_complete minirt "$cmd" -
    expected=$("$MINIRT" "$cmd" --help | help_flags)
    [ -n "$expected" ] && [ "$output" = "$expected" ] ||
      { echo "$cmd: got '$output', --help says '$expected'"; false; }
    n=$((n + 1))
  done
  [ "$n" -ge 16 ]
}

@test "zsh: the script autoloads from fpath and completes commands, flags, values and container ids" {
  command -v zsh >/dev/null || skip "zsh is not installed (tests/deps.sh installs it)"
  run zsh -n "$COMP_DIR/_minirt"
  assert_success
  run zsh_complete 'minirt ex'
  assert_success
  assert_equal "$output" exec
  run zsh_complete 'minirt exec --e'
  assert_equal "$output" "$(printf -- '--env\n--explain')"
  run zsh_complete 'minirt --log-format '
  assert_equal "$output" "$(printf 'json\ntext')"
  run zsh_complete 'minirt kill c1 KI'
  assert_equal "$output" KILL
  two_containers
  run zsh_complete "minirt --root $STATE_ROOT delete "
  assert_equal "$output" "$(printf '%s\n' "$ID-a" "$ID-b")"
  run zsh_complete "minirt --root $STATE_ROOT exec $ID-b --e"
  assert_equal "$output" ""
}

@test "zsh: the script also works when sourced" {
  command -v zsh >/dev/null || skip "zsh is not installed (tests/deps.sh installs it)"
  run zsh -fc 'autoload -U compinit && compinit -u -D; source "$1"; print -r -- $_comps[minirt]' _ "$COMP_DIR/_minirt"
  assert_success
  assert_equal "$output" _minirt
}

@test "fish: the script loads and completes commands, flags, values and container ids" {
  command -v fish >/dev/null || skip "fish is not installed (tests/deps.sh installs it)"
  run fish -n "$COMP_DIR/minirt.fish"
  assert_success
  run fish_complete 'minirt ex'
  assert_equal "$output" exec
  run fish_complete 'minirt exec --e'
  assert_equal "$output" "$(printf -- '--env\n--explain')"
  run fish_complete 'minirt --log-format '
  assert_equal "$output" "$(printf 'json\ntext')"
  run fish_complete 'minirt kill c1 KI'
  assert_equal "$output" KILL
  two_containers
  run fish_complete "minirt --root $STATE_ROOT delete "
  assert_equal "$output" "$(printf '%s\n' "$ID-a" "$ID-b")"
  run fish_complete "minirt --root $STATE_ROOT exec -u 0 $ID"
  assert_equal "$output" "$(printf '%s\n' "$ID-a" "$ID-b")"
  # After the ID of exec, the words are the container's command: no flags.
  run fish_complete "minirt --root $STATE_ROOT exec $ID-b --e"
  assert_equal "$output" ""
}

@test "completion names the shells it knows and fails on another" {
  rt completion tcsh
  assert_failure
  assert_output_contains "completion: unknown shell \`tcsh\`: expected bash, zsh or fish"
  rt completion
  assert_failure
  assert_output_contains "expects one shell: bash, zsh or fish"
}
