# earshot --version, --help, `features --help` and the usage exit codes.
. "$(dirname "$0")/common.sh"

run "$EARSHOT" --version
expect_status 0 "--version"
grep -Eq '^earshot [0-9]+\.[0-9]+\.[0-9]+$' "$work/out" && ok "version line" \
  || fail "--version printed '$(cat "$work/out")'"

run "$EARSHOT" --help
expect_status 0 "--help"
grep -q "features" "$work/out" && ok "--help lists features" || fail "--help does not list features"

run "$EARSHOT" features --help
expect_status 0 "features --help"
for word in "IN OUT.csv" "--bands" "--dct" "--frame-size" "--hop-size" "--window" \
    "--fmin" "--fmax" "--coefficient" "--rate" "Exit status"; do
  grep -q -- "$word" "$work/out" && ok "features --help mentions $word" \
    || fail "features --help does not mention $word"
done

run "$EARSHOT" help features
expect_status 0 "help features"
grep -q -- "--bands" "$work/out" && ok "help features shows the options" \
  || fail "help features does not show the options"

run "$EARSHOT"
expect_status 2 "no command"
run "$EARSHOT" no-such-command
expect_status 2 "unknown command"
expect_stderr "unknown command"
run "$EARSHOT" help bogus
expect_status 2 "help for an unknown command"
expect_stderr "unknown command 'bogus'"
run "$EARSHOT" features
expect_status 2 "features without arguments"
expect_stderr "Usage"
finish
