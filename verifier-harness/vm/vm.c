// SPDX-License-Identifier: BSD-2-Clause
/* vm.c: what every kind of VM shares: the guest script, starting the runner, kinds. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs_util.h"
#include "strfmt.h"
#include "vm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

/* --- the guest script ---------------------------------------------------------------- */

/* 'arg' for sh, with ' written as '\'' */
static void sh_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* One step of `bpfgate steps`: its argument count (the probe's "$@" counted by the
 * shell), then verify's arguments: the extra args, then what it verifies. */
static void step_args(FILE *f, const struct vh_guest_plan *plan, const char *what,
		      const char *path)
{
	fprintf(f, "\t\t$((%d + $#)) --json --no-cache", 2 + plan->nguest_args + (what ? 2 : 1));
	for (int i = 0; i < plan->nguest_args; i++) {
		fputc(' ', f);
		sh_quote(f, plan->guest_args[i]);
	}
	if (what)
		fprintf(f, " %s", what);
	fputc(' ', f);
	sh_quote(f, path);
	fprintf(f, " \"$@\" \\\n");
}

/*
 * The guest's script (qemu: /init; vng: guest.sh): mount what BPF needs, probe,
 * verify each object and run each test in a step of its own (one results section
 * each, sent as soon as the step ends; all in one `bpfgate steps` process while
 * none kills it), frame the outputs on fd 3, power off. What
 * differs by kind (busybox or the host's userspace, the channel) comes from kind.
 * It runs as root.
 */
int vh_vm__write_script(FILE *f, const struct vh_vm_kind *kind, const char *bpfgate,
			const char *out, const char *scratch, const struct vh_guest_plan *plan)
{
	int nsteps = plan->nobjs + plan->ntests;
	char obj[PATH_MAX];

	fprintf(f, "%s", kind->script_head);
	fprintf(f, "mounted() { grep -q \" $1 \" /proc/mounts; }\n"
		   "mounted /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null\n"
		   "mounted /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug "
		   "2>/dev/null\n"
		   "mounted /sys/kernel/tracing || mount -t tracefs tracefs "
		   "/sys/kernel/tracing 2>/dev/null\n"
		   /* the functional tests make cgroups of their own */
		   "mounted /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null\n");
	fprintf(f, "T=");
	sh_quote(f, scratch);
	fprintf(f, "\nB=");
	sh_quote(f, bpfgate);
	fprintf(f, "\n");
	if (kind->channel_tty) {
		/* raw: no \n -> \r\n, so byte counts hold */
		fprintf(f, "stty -F %s raw -echo 2>/dev/null\nexec 3>%s\n", out, out);
	} else {
		fprintf(f, "exec 3>");
		sh_quote(f, out);
		fprintf(f, "\n");
	}
	fprintf(f, "up() { read -r u _ </proc/uptime; echo \"$u\"; }\n"
		   "emit() {\n"
		   "\tprintf '@@bpfgate begin %%s %%s\\n' \"$1\" \"$(wc -c <\"$2\")\"\n"
		   "\tcat \"$2\"\n"
		   "\tprintf '\\n@@bpfgate end %%s %%s\\n' \"$1\" \"$3\"\n"
		   "}\n"
		   "w=0 n=1\n"
		   "echo \"@@bpfgate hello $(uname -r) $(up)\" >&3\n");
	if (kind->workdir)
		fprintf(f, "cd %s\n", kind->workdir);
	/* verify records the probe taken here instead of probing again */
	fprintf(f, "set --\n");
	if (plan->probe)
		fprintf(f, "\"$B\" kernel probe --json >\"$T/probe.json\" 2>\"$T/probe.err\"\n"
			   "prc=$?\n"
			   "emit probe \"$T/probe.json\" $prc >&3\n"
			   "[ $prc = 0 ] && set -- --probe \"$T/probe.json\"\n");
	fprintf(f, ": >\"$T/stderr.txt\"\n"
		   "echo \"@@bpfgate verify $(up)\" >&3\n");
	/* Every step in one process, each step's results sent as it ends; a step that
	 * kills it is named in $T/at: send what it wrote, go on after it. */
	fprintf(f, "while [ $n -le %d ]; do\n"
		   "\t\"$B\" steps --channel 3 --scratch \"$T\" --from $n -- \\\n",
		nsteps);
	for (int i = 0; i < plan->nobjs; i++) {
		int err = kind->guest_path(plan, false, i, obj, sizeof(obj));

		if (err)
			return err;
		step_args(f, plan, NULL, obj);
	}
	for (int i = 0; i < plan->ntests; i++) {
		int err = kind->guest_path(plan, true, i, obj, sizeof(obj));

		if (err)
			return err;
		step_args(f, plan, "--test", obj);
	}
	fprintf(f, "\t\t2>>\"$T/stderr.txt\"\n"
		   "\trc=$?\n"
		   "\t[ $rc -gt $w ] && w=$rc\n"
		   "\tat= t0=\n"
		   "\t[ -f \"$T/at\" ] && read -r at t0 <\"$T/at\"\n"
		   "\t[ -n \"$at\" ] || break\n"
		   "\trm -f \"$T/at\"\n"
		   "\temit results \"$T/results.json\" $rc >&3\n"
		   "\techo \"@@bpfgate took $at $t0 $(up)\" >&3\n"
		   "\tn=$((at + 1))\n"
		   "done\n");
	fprintf(f, "echo \"@@bpfgate verified $(up)\" >&3\n"
		   "emit stderr \"$T/stderr.txt\" $w >&3\n"
		   "echo \"@@bpfgate done $(up)\" >&3\n");
	/* closing the tty waits until the UART has sent everything */
	fprintf(f, "exec 3>&-\n%s", kind->script_tail);
	return ferror(f) ? -EIO : 0;
}

/* --- starting a VM ----------------------------------------------------------------- */

void vh_argv__add(struct vh_argv *a, const char *fmt, ...)
{
	va_list ap;

	if (a->n >= VH_ARGV_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(a->store[a->n], sizeof(a->store[a->n]), fmt, ap);
	va_end(ap);
	a->v[a->n] = a->store[a->n];
	a->v[++a->n] = NULL;
}

/* In the runner: its temporary files go where the run's go (a killed vng leaves
 * them behind; the next run removes the folder) */
static void runner_env(void *vm)
{
	const char *tmp = ((const struct vh_vm *)vm)->run->tmp;

	if (tmp)
		setenv("TMPDIR", tmp, 1);
}

int vh_vm__start(struct vh_vm *vm, char *errbuf, size_t errlen)
{
	struct vh_argv *a = calloc(1, sizeof(*a));
	struct vh_spawn_opts so = {
		.out = VH_SPAWN_OUT_FILE,
		.timeout_s = vm->run->timeout_s,
		/* the console and the channel are the guest's to fill: not the whole disk */
		.file_max = VH_GUEST_OUT_MAX,
		.child_setup = runner_env,
		.setup_arg = vm,
	};
	char log[PATH_MAX];
	int err;

	if (!a)
		return vh_errf(errbuf, errlen, -ENOMEM, "out of memory");
	snprintf(log, sizeof(log), "%s/%s", vm->rundir, vm->kind->runner_log);
	vm->kind->runner_args(vm, a);
	so.argv = a->v;
	so.out_path = log;
	err = vh_spawn__start(&vm->proc, &so);
	if (err)
		vh_errf(errbuf, errlen, err, "%s: %s", a->v[0], strerror(-err));
	free(a);
	return err;
}

static const struct vh_vm_kind *const kinds[] = { &vh_vm_qemu, &vh_vm_vng };
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

const struct vh_vm_kind *vh_vm_kind__find(const char *name)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

const struct vh_vm_kind *vh_vm_kind__default(const char *bpfgate_path)
{
	for (size_t i = 0; i + 1 < NKINDS; i++)
		if (kinds[i]->usable(bpfgate_path))
			return kinds[i];
	return kinds[NKINDS - 1];
}

const char *vh_vm_kind__names(void)
{
	static char names[64];

	if (!names[0])
		for (size_t i = 0; i < NKINDS; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", kinds[i]->name);
	return names;
}

int vh_vm__step_path(const struct vh_vm_kind *kind, const struct vh_guest_plan *plan, int step,
		     char *buf, size_t len)
{
	int i = step - 1;

	if (i >= 0 && i < plan->nobjs)
		return kind->guest_path(plan, false, i, buf, len);
	if (i >= plan->nobjs && i < plan->nobjs + plan->ntests)
		return kind->guest_path(plan, true, i - plan->nobjs, buf, len);
	return -ENOENT;
}

#if defined(__x86_64__) || defined(__i386__)
static bool cpu_has_flags(const char *const *flags, int n)
{
	char line[4096];
	int found = 0;
	FILE *f = fopen("/proc/cpuinfo", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		for (int i = 0; i < n; i++) {
			const char *p = strstr(line, flags[i]);
			size_t l = strlen(flags[i]);

			found += p && p[-1] == ' ' && (p[l] == ' ' || p[l] == '\n');
		}
		break;
	}
	fclose(f);
	return found == n;
}

unsigned long vh_vm__host_tsc_khz(void)
{
	static const char *const flags[] = { "constant_tsc", "nonstop_tsc" };
	struct timespec a, b, pause = { 0, 20 * 1000 * 1000 };
	unsigned long long t0, t1;
	double ns;

	if (!cpu_has_flags(flags, 2))
		return 0;
	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	t0 = __rdtsc();
	nanosleep(&pause, NULL);
	clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	t1 = __rdtsc();
	ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	return ns > 0 ? (unsigned long)((t1 - t0) / ns * 1e6) : 0;
}
#else
unsigned long vh_vm__host_tsc_khz(void)
{
	return 0;
}
#endif

/* What vh_vm__tail reads of a file's end. */
#define TAIL_BYTES (1UL << 20)

char *vh_vm__tail(const char *path, int n)
{
	char *buf = NULL, *p, *out;
	size_t size = 0;
	int lines = 0;

	/* the end is enough: a guest may have flooded its console */
	if (vh_read_file_end(path, TAIL_BYTES, &buf, &size))
		return NULL;
	/* drop a trailing newline, then walk back n lines */
	while (size && (buf[size - 1] == '\n' || buf[size - 1] == '\r'))
		size--;
	p = buf + size;
	while (p > buf && lines < n) {
		p--;
		if (*p == '\n')
			lines++;
	}
	if (*p == '\n')
		p++;
	out = strndup(p, buf + size - p);
	free(buf);
	/* console text is the kernel's: strip carriage returns and NULs */
	if (out) {
		char *w = out;

		for (char *r = out; *r; r++)
			if (*r != '\r')
				*w++ = *r;
		*w = '\0';
	}
	return out;
}
