#!/bin/sh
# apt for one Debian suite, amd64 and arm64, without touching the host's
# sources: bookworm is the host's own; another suite gets a private
# configuration and package lists under $DL/apt/SUITE, refreshed daily.
#
#   scripts/apt-suite.sh SUITE cache ARGS...     apt-cache ARGS
#   scripts/apt-suite.sh SUITE download ARGS...  apt-get download ARGS (in .)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cache.sh"
suite=${1:?usage: apt-suite.sh SUITE cache|download ARGS...}
verb=${2:?usage: apt-suite.sh SUITE cache|download ARGS...}
shift 2
case "$verb" in
cache) cmd=apt-cache ;;
download) cmd="apt-get download" ;;
*) echo "apt-suite.sh: unknown verb '$verb'" >&2; exit 2 ;;
esac

if [ "$suite" = bookworm ]; then
	# shellcheck disable=SC2086
	exec $cmd -o APT::Sandbox::User=root "$@"
fi

d=$DL/apt/$suite
if [ ! -f "$d/apt.conf" ]; then
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/preferences.d"
	: >"$d/status"
	echo "deb [arch=amd64,arm64] http://deb.debian.org/debian $suite main" >"$d/sources.list"
	cat >"$d/apt.conf" <<CONF
Dir::Etc::SourceList "$d/sources.list";
Dir::Etc::SourceParts "$d/sources.list.d";
Dir::Etc::Preferences "$d/preferences";
Dir::Etc::PreferencesParts "$d/preferences.d";
Dir::State::Lists "$d/lists";
Dir::State::Status "$d/status";
Dir::Cache "$d";
Dir::Cache::Archives "$d/archives";
APT::Architectures { "amd64"; "arm64"; };
APT::Sandbox::User "root";
CONF
fi
export APT_CONFIG="$d/apt.conf"
# Lists older than a day are fetched again, so new kernel ABIs are seen;
# one update at a time; old lists serve when the archive cannot be reached.
(
	flock 9
	if [ -z "$(find "$d/updated" -mtime -1 2>/dev/null)" ]; then
		if apt-get -q=2 update >&2; then
			touch "$d/updated"
		elif [ -f "$d/updated" ]; then
			echo "apt-suite.sh: apt-get update of $suite failed; using the lists of $(date -r "$d/updated")" >&2
		else
			echo "apt-suite.sh: apt-get update of $suite failed" >&2
			exit 1
		fi
	fi
) 9>"$d/lock" || exit 1
# shellcheck disable=SC2086
exec $cmd "$@"
