// SPDX-License-Identifier: BSD-2-Clause
/* kvm.c: KVM detection by CPU flags and a working /dev/kvm, never by the node alone. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "kvm.h"

/* True when a "flags" line of /proc/cpuinfo has the word vmx or svm. */
static bool cpu_has_virt(void)
{
	char line[8192];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *save = NULL, *tok;

		if (strncmp(line, "flags", 5))
			continue;
		for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
			if (!strcmp(tok, "vmx") || !strcmp(tok, "svm")) {
				found = true;
				break;
			}
	}
	fclose(f);
	return found;
}

bool vh_kvm__usable(char *why, size_t whylen)
{
	int fd, vm, ver;

	if (!cpu_has_virt()) {
		snprintf(why, whylen, "the CPU has no vmx/svm flag");
		return false;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "/dev/kvm: %s", strerror(errno));
		return false;
	}
	ver = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION) {
		snprintf(why, whylen, "/dev/kvm: API version %d, expected %d", ver, KVM_API_VERSION);
		close(fd);
		return false;
	}
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(why, whylen, "/dev/kvm: cannot create a VM: %s", strerror(errno));
		close(fd);
		return false;
	}
	close(vm);
	close(fd);
	snprintf(why, whylen, "KVM works");
	return true;
}
