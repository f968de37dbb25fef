// SPDX-License-Identifier: BSD-2-Clause
/* vm_qemu.c: the qemu kind: a microVM booted straight into an initramfs written here. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "diag.h"
#include "fs_util.h"
#include "func_test.h"
#include "strfmt.h"
#include "vm.h"

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* objects relative to /w (o/N/NAME), tests absolute (/w/t/N/NAME): a test may run
 * itself again by argv[0] from anywhere */
static int guest_path(const struct vh_guest_plan *plan, bool test, int i, char *buf, size_t len)
{
	int n = test ? snprintf(buf, len, "/w/t/%d/%s", i, base_name(plan->tests[i])) :
		       snprintf(buf, len, "o/%d/%s", i, base_name(plan->objs[i]));

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The static bpfgate for the initramfs: $BPFGATE_STATIC, else beside the binary
 * (a build folder), else ../libexec/bpfgate/ (installed). */
static int find_static(const char *bpfgate_path, char *buf, size_t len)
{
	const char *env = getenv("BPFGATE_STATIC");
	const char *rel[] = { "bpfgate.static", "../libexec/bpfgate/bpfgate.static" };
	char exe[PATH_MAX], *slash;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return is_file(buf) ? 0 : -ENOENT;
	}
	if (!bpfgate_path || !realpath(bpfgate_path, exe)) {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		if (n <= 0)
			return -ENOENT;
		exe[n] = '\0';
	}
	slash = strrchr(exe, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
		if ((size_t)snprintf(buf, len, "%s/%s", exe, rel[i]) < len && is_file(buf))
			return 0;
	return -ENOENT;
}

static const char *find_busybox(void)
{
	const char *env = getenv("BPFGATE_BUSYBOX");

	if (env && *env)
		return env;
	/* busybox-static installs a static /bin/busybox */
	return is_file("/bin/busybox") ? "/bin/busybox" : NULL;
}

static bool usable(const char *bpfgate_path)
{
	char p[PATH_MAX];

	return !find_static(bpfgate_path, p, sizeof(p)) && find_busybox();
}

/* The initramfs: newc cpio, every entry owned by root, mtime 0. */
struct cpio {
	FILE *f;
	unsigned int ino;
	unsigned long long off;
};

static int cpio_pad(struct cpio *c)
{
	static const char zeros[4];
	size_t pad = (4 - c->off % 4) % 4;

	if (pad && fwrite(zeros, 1, pad, c->f) != pad)
		return -EIO;
	c->off += pad;
	return 0;
}

static int cpio_entry(struct cpio *c, const char *name, unsigned int mode, unsigned int rmaj,
		      unsigned int rmin, const void *data, size_t size)
{
	size_t nlen = strlen(name) + 1;
	int n, err;

	n = fprintf(c->f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		    ++c->ino, mode, 0, 0, 1, 0, size, 0, 0, rmaj, rmin, nlen, 0);
	if (n != 110 || fwrite(name, 1, nlen, c->f) != nlen)
		return -EIO;
	c->off += 110 + nlen;
	err = cpio_pad(c);
	if (err)
		return err;
	if (size && fwrite(data, 1, size, c->f) != size)
		return -EIO;
	c->off += size;
	return cpio_pad(c);
}

static int cpio_file(struct cpio *c, const char *name, const char *host_path, unsigned int perm)
{
	char *data = NULL;
	size_t size = 0;
	int err = vh_read_file(host_path, 0, &data, &size);

	if (err)
		return err;
	err = cpio_entry(c, name, S_IFREG | perm, 0, 0, data, size);
	free(data);
	return err;
}

int vh_vm__build_initramfs(const char *path, const char *busybox, const char *bpfgate_static,
			   const struct vh_guest_plan *plan, char *errbuf, size_t errlen)
{
	static const char *const dirs[] = { "bin", "dev", "proc", "sys", "tmp", "w", "w/o", NULL };
	struct cpio c = { 0 };
	char *script = NULL, name[PATH_MAX];
	size_t script_len = 0;
	FILE *mem;
	int err = 0;

	c.f = fopen(path, "we");
	if (!c.f)
		return vh_errf(errbuf, errlen, -errno, "%s: %s", path, strerror(errno));
	mem = open_memstream(&script, &script_len);
	if (!mem) {
		err = vh_errf(errbuf, errlen, -ENOMEM, "out of memory");
		goto cleanup;
	}
	err = vh_vm__write_script(mem, &vh_vm_qemu, "/bin/bpfgate", "/dev/ttyS1", "/tmp", plan);
	if (fclose(mem) && !err)
		err = -EIO;
	if (err) {
		err = vh_errf(errbuf, errlen, err, "guest script: %s", strerror(-err));
		goto cleanup;
	}
	for (int i = 0; dirs[i] && !err; i++)
		err = cpio_entry(&c, dirs[i], S_IFDIR | 0755, 0, 0, NULL, 0);
	/* the kernel opens /dev/console for init before devtmpfs is mounted */
	err = err ?: cpio_entry(&c, "dev/console", S_IFCHR | 0600, 5, 1, NULL, 0);
	err = err ?: cpio_entry(&c, "init", S_IFREG | 0755, 0, 0, script, script_len);
	if (err) {
		err = vh_errf(errbuf, errlen, err, "%s: %s", path, strerror(-err));
		goto cleanup;
	}
	err = cpio_file(&c, "bin/busybox", busybox, 0755);
	if (err) {
		err = vh_errf(errbuf, errlen, err, "%s: %s", busybox, strerror(-err));
		goto cleanup;
	}
	err = cpio_file(&c, "bin/bpfgate", bpfgate_static, 0755);
	if (err) {
		err = vh_errf(errbuf, errlen, err, "%s: %s", bpfgate_static, strerror(-err));
		goto cleanup;
	}
	for (int i = 0; i < plan->nobjs; i++) {
		snprintf(name, sizeof(name), "w/o/%d", i);
		err = cpio_entry(&c, name, S_IFDIR | 0755, 0, 0, NULL, 0);
		err = err ?: guest_path(plan, false, i, name + 2, sizeof(name) - 2);
		if (!err) {
			memcpy(name, "w/", 2);
			err = cpio_file(&c, name, plan->objs[i], 0644);
		}
		if (err) {
			err = vh_errf(errbuf, errlen, err, "%s: %s", plan->objs[i], strerror(-err));
			goto cleanup;
		}
	}
	err = plan->ntests ? cpio_entry(&c, "w/t", S_IFDIR | 0755, 0, 0, NULL, 0) : 0;
	if (err) {
		err = vh_errf(errbuf, errlen, err, "%s: %s", path, strerror(-err));
		goto cleanup;
	}
	for (int i = 0; i < plan->ntests; i++) {
		snprintf(name, sizeof(name), "w/t/%d", i);
		err = cpio_entry(&c, name, S_IFDIR | 0755, 0, 0, NULL, 0);
		/* "/w/t/N/NAME" without its leading slash */
		err = err ?: guest_path(plan, true, i, name, sizeof(name));
		if (!err) {
			memmove(name, name + 1, strlen(name));
			err = cpio_file(&c, name, plan->tests[i], 0755);
		}
		if (err) {
			err = vh_errf(errbuf, errlen, err, "%s: %s", plan->tests[i], strerror(-err));
			goto cleanup;
		}
	}
	err = cpio_entry(&c, "TRAILER!!!", 0, 0, 0, NULL, 0);
	if (err)
		err = vh_errf(errbuf, errlen, err, "%s: %s", path, strerror(-err));
cleanup:
	free(script);
	if (fclose(c.f) && !err)
		err = vh_errf(errbuf, errlen, -errno, "%s: %s", path, strerror(errno));
	return err;
}

/* The initramfs every qemu boot of the run shares, in the run's temporary folder. */
static int prepare_run(struct vh_vm_run *run)
{
	const struct vh_guest_plan *plan = run->plan;
	char bstatic[PATH_MAX], errbuf[512];
	const char *busybox;
	int err;

	if (find_static(run->bpfgate_path, bstatic, sizeof(bstatic)))
		return vh_err("bpfgate.static",
			      "not found beside bpfgate (make builds it; or BPFGATE_STATIC=PATH, "
			      "or --vm-backend vng)"),
		       -ENOENT;
	busybox = find_busybox();
	if (!busybox)
		return vh_err("busybox", "/bin/busybox not found (install busybox-static)"),
		       -ENOENT;
	/* the initramfs has no loader and no libraries */
	for (int j = 0; j < plan->ntests; j++)
		if (vh_func_test__is_dynamic(plan->tests[j]) == 1)
			return vh_err(plan->tests[j],
				      "dynamically linked: the qemu backend's guest has no shared "
				      "libraries (link it -static, e.g. make functional-static, "
				      "or use --vm-backend vng)"),
			       -EINVAL;
	if ((size_t)snprintf(run->initrd, sizeof(run->initrd), "%s/initramfs.cpio", run->tmp) >=
	    sizeof(run->initrd))
		return vh_err("initramfs", "%s", strerror(ENAMETOOLONG)), -ENAMETOOLONG;
	err = vh_vm__build_initramfs(run->initrd, busybox, bstatic, plan, errbuf, sizeof(errbuf));
	if (err)
		return vh_err("initramfs", "%s", errbuf), err;
	return 0;
}

static void runner_args(const struct vh_vm *vm, struct vh_argv *a)
{
	vh_argv__add(a, "qemu-system-x86_64");
	if (vm->run->kvm) {
		vh_argv__add(a, "-accel");
		vh_argv__add(a, "kvm");
		vh_argv__add(a, "-cpu");
		vh_argv__add(a, "host");
	} else {
		vh_argv__add(a, "-accel");
		vh_argv__add(a, "tcg");
	}
	/* microvm without ACPI: under TCG, ACPI microvm hangs calibrating the TSC,
	 * and reboot=t (triple fault) + -no-reboot is how the guest stops */
	vh_argv__add(a, "-M");
	vh_argv__add(a, "microvm,acpi=off");
	vh_argv__add(a, "-m");
	vh_argv__add(a, "%d", vm->run->mem_mb);
	vh_argv__add(a, "-smp");
	vh_argv__add(a, "1");
	vh_argv__add(a, "-nodefaults");
	vh_argv__add(a, "-no-user-config");
	vh_argv__add(a, "-display");
	vh_argv__add(a, "none");
	vh_argv__add(a, "-no-reboot");
	vh_argv__add(a, "-kernel");
	vh_argv__add(a, "%s", vh_kernel__qemu_image(vm->kernel));
	vh_argv__add(a, "-initrd");
	vh_argv__add(a, "%s", vm->run->initrd);
	vh_argv__add(a, "-append");
	if (!vm->run->kvm && vm->run->tsc_khz)
		vh_argv__add(a, "console=ttyS0 panic=-1 reboot=t oops=panic rdinit=/init "
			   VH_VM_GUEST_APPEND " tsc_early_khz=%lu tsc=reliable %s",
			vm->run->tsc_khz, getenv("BPFGATE_VM_APPEND") ?: "");
	else
		vh_argv__add(a, "console=ttyS0 panic=-1 reboot=t oops=panic rdinit=/init "
			   VH_VM_GUEST_APPEND " %s", getenv("BPFGATE_VM_APPEND") ?: "");
	vh_argv__add(a, "-serial");
	vh_argv__add(a, "file:%s/console.log", vm->rundir);
	vh_argv__add(a, "-chardev");
	vh_argv__add(a, "file,id=results,path=%s/guest.out", vm->rundir);
	vh_argv__add(a, "-device");
	vh_argv__add(a, "isa-serial,chardev=results,iobase=0x2f8,irq=3");
}

/* qemu boots the image straight into our initramfs: no modules can help */
static const char *const kconfig_needs[] = {
	"CONFIG_BLK_DEV_INITRD=y", "CONFIG_DEVTMPFS=y", "CONFIG_SERIAL_8250=y",
	"CONFIG_SERIAL_8250_CONSOLE=y", NULL,
};

const struct vh_vm_kind vh_vm_qemu = {
	.name = "qemu",
	.runner = "qemu",
	.runner_log = "qemu.log",
	/* TCG: qemu boots in about 5 s; verification is slow too */
	.tcg_timeout_s = 120,
	.kconfig_needs = kconfig_needs,
	.script_head = "#!/bin/busybox sh\n"
		       "# Generated by bpfgate for one VM run, do not edit.\n"
		       "/bin/busybox --install -s /bin\n"
		       "export PATH=/bin\n"
		       "mount -t proc proc /proc\n"
		       "mount -t sysfs sysfs /sys\n"
		       "mount -t devtmpfs devtmpfs /dev 2>/dev/null\n",
	.channel_tty = true,
	.workdir = "/w",
	.script_tail = "sync\nreboot -f\n",
	.usable = usable,
	.prepare_run = prepare_run,
	.runner_args = runner_args,
	.guest_path = guest_path,
};
