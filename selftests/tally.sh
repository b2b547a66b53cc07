# Sourced by the check-* scripts.  tally ARCH LOG RC: add one guest run's
# TAP lines to $passed and $failed; a guest that exited non-zero without
# saying "not ok" counts as one failure.
tally() {
	tally_p=$(grep "^$1: ok " "$2" | grep -vc ' # SKIP ')
	tally_f=$(grep -c "^$1: not ok " "$2")
	if [ "$3" -ne 0 ] && [ "$tally_f" -eq 0 ]; then
		echo "not ok - $1 guest ran (exit $3)"
		tally_f=1
	fi
	passed=$((passed + tally_p))
	failed=$((failed + tally_f))
}
