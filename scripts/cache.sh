# Sourced by the scripts that build and test, after setting $top.
#
#   CACHE  per-clone work: builds, initramfs, logs (git-ignored .cache/)
#   DL     what is fetched or built from Debian's archive, shared by every
#          clone on the machine and keyed by package version: sysroots,
#          .debs, chroots of other suites, kernels built from source.
#          A fresh clone (CI's) finds them there instead of downloading.
#
# STACKTAP_CACHE and STACKTAP_DL override them; DL falls back to
# $CACHE/dl when /var/cache/stacktap cannot be written (not root).
# shellcheck shell=sh
CACHE=${STACKTAP_CACHE:-$top/.cache}
if [ -n "${STACKTAP_DL:-}" ]; then
	DL=$STACKTAP_DL
elif mkdir -p /var/cache/stacktap 2>/dev/null && [ -w /var/cache/stacktap ]; then
	DL=/var/cache/stacktap
else
	DL=$CACHE/dl
fi
