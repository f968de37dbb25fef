# SPDX-License-Identifier: BSD-2-Clause
# ci/apt-suites.sh: an isolated apt configuration for other Debian suites.
#
# Sourced by ci/deps.sh and the kernel cache. The system's own sources are never
# touched: each configuration lives in its own folder with its own lists, and apt
# checks every suite's signature with the system's Debian keyring as usual. The
# mirror is whatever the system's apt already uses, so no host name is written here.

# apt_mirror: the URI of the system's Debian mirror (first URIs: line).
apt_mirror() {
	local f=/etc/apt/sources.list.d/debian.sources
	if [ -r "$f" ]; then
		awk '/^URIs:/ {print $2; exit}' "$f"
	elif [ -r /etc/apt/sources.list ]; then
		awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list
	fi
}

# apt_security_mirror: the URI the system uses for debian-security, if any.
apt_security_mirror() {
	local f=/etc/apt/sources.list.d/debian.sources
	if [ -r "$f" ]; then
		awk '/^URIs:/ && /security/ {print $2; exit}' "$f"
	elif [ -r /etc/apt/sources.list ]; then
		awk '$1 == "deb" && $2 ~ /security/ {print $2; exit}' /etc/apt/sources.list
	fi
}

# apt_isolated DIR SUITE...: write DIR/sources.list for SUITEs (a suite ending in
# -security goes to the security mirror) and print the apt options that use it.
apt_isolated() {
	local dir=$1 mirror sec s
	shift
	mirror=$(apt_mirror)
	sec=$(apt_security_mirror)
	if [ -z "$mirror" ]; then
		echo "bpfgate: /etc/apt: no Debian mirror configured" >&2
		return 2
	fi
	mkdir -p "$dir/lists/partial" "$dir/archives/partial"
	for s in "$@"; do
		case $s in
		*-security) echo "deb ${sec:-${mirror%/debian}/debian-security} $s main" ;;
		*) echo "deb $mirror $s main" ;;
		esac
	done >"$dir/sources.list.tmp"
	mv "$dir/sources.list.tmp" "$dir/sources.list"
	echo "-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$dir/lists -o Dir::Cache::archives=$dir/archives"
}
