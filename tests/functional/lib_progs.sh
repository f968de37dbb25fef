# SPDX-License-Identifier: BSD-2-Clause
# lib_progs.sh: counting a loader's programs, for the "nothing left loaded" checks.
# Sourced by the functional shell tests (POSIX sh).

# progs_count PREFIX: how many loaded programs have a name starting with PREFIX;
# empty without bpftool (minimal VM images), so the check is then not made.
progs_count() {
	command -v bpftool >/dev/null || return 0
	bpftool prog show | grep -c " name $1" || true
}

# progs_settle PREFIX BEFORE: wait up to 5 s for the count to return to BEFORE.
# The kernel frees a detached TC or XDP program only after an RCU grace period
# and a deferred work item, so the count can lag the loader's exit.
progs_settle() {
	[ -n "$2" ] || return 0
	i=0
	while [ "$(progs_count "$1")" != "$2" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.05
	done
}
