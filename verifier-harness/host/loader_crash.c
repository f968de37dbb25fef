// SPDX-License-Identifier: BSD-2-Clause
/* loader_crash.c: the phase a loader child is in, and what its death means. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loader_crash.h"
#include "strfmt.h"

static atomic_int *phase_slot;

void vh_loader__track(atomic_int *slot)
{
	phase_slot = slot;
	if (slot)
		atomic_store(slot, VH_IN_BPFGATE);
}

int vh_loader__enter(int phase)
{
	return phase_slot ? atomic_exchange(phase_slot, phase) : VH_IN_BPFGATE;
}

static const char *phase_name(int phase)
{
	switch (phase) {
	case VH_IN_LIBBPF_OPEN:
		return "in libbpf (bpf_object__open)";
	case VH_IN_LIBBPF_LOAD:
		return "in libbpf (bpf_object__load)";
	case VH_IN_LIBBPF_BTF:
		return "in libbpf (btf__parse_elf)";
	default:
		return "in bpfgate";
	}
}

char *vh_loader__crash_msg(int status, int phase)
{
	if (WIFSIGNALED(status)) {
		const char *sig = sigabbrev_np(WTERMSIG(status));

		if (sig)
			return vh_strfmt("the loader crashed on this object: SIG%s %s", sig,
					 phase_name(phase));
		return vh_strfmt("the loader crashed on this object: signal %d %s",
				 WTERMSIG(status), phase_name(phase));
	}
	return vh_strfmt("the loader exited with status %d on this object %s",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1, phase_name(phase));
}

int vh_loader__die_with_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		return -errno;
	/* the parent may have died before the line above */
	if (getppid() != parent)
		_exit(127);
	return 0;
}
