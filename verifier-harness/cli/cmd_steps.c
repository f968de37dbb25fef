// SPDX-License-Identifier: BSD-2-Clause
/*
 * cmd_steps.c: bpfgate steps: several `bpfgate verify` runs (steps) one after
 * another in one process, each step's JSON sent framed on a channel as soon as it
 * ends. A matrix VM's guest runs its steps so: under TCG a process costs its exec,
 * libbpf's feature probes and an index of the kernel BTF (0.1-0.2 s each), which
 * one process pays once. A step that crashes the process is named in DIR/at: the
 * guest's script sends what it wrote and starts again after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "fs_util.h"
#include "options.h"
#include "out_file.h"
#include "vmlinux_btf.h"

enum {
	OPT_CHANNEL = VH_OPT_CMD,
	OPT_SCRATCH,
	OPT_FROM,
};

static const struct vh_opt opt_channel = {
	OPT_CHANNEL, "channel", 0, VH_OPT_INT, "FD", 1, 1023, .def = "3",
	.help = "the descriptor the framed results go to",
};
static const struct vh_opt opt_scratch = {
	OPT_SCRATCH, "scratch", 0, VH_OPT_STR, "DIR",
	.help = "where each step's results.json and the step in progress (at) are written",
};
static const struct vh_opt opt_from = {
	OPT_FROM, "from", 0, VH_OPT_INT, "I", 1, 1000000, .def = "1",
	.help = "the first step to run (the ones before it ran in an earlier process)",
};
static const struct vh_opt *const steps_opts[] = {
	&opt_channel, &opt_scratch, &opt_from, &vh_opt_help, NULL,
};

static const struct vh_cmd_opts steps_cmd = {
	.cmd = "steps",
	.synopsis = "--scratch DIR [OPTIONS] -- COUNT ARG... [COUNT ARG...]...",
	.about = "Run several 'bpfgate verify' steps in one process, one after the other: each\n"
		 "step is COUNT arguments of verify. Each step's JSON goes to the channel as\n"
		 "soon as it ends, framed as '@@bpfgate step I N', a results section and\n"
		 "'@@bpfgate took I T0 T1' (the guest's uptime). This is what a matrix VM runs.",
	.epilog = "Exit status: the worst of the steps' (as bpfgate verify's), 2 for a usage error.\n"
		  "While step I runs, DIR/at holds 'I T0'; it is removed when the step ends, so a\n"
		  "process that died in a step leaves its number behind.\n",
	.opts = steps_opts,
};

struct steps {
	int channel;
	const char *scratch;
	int from;
};

static int steps_opt(void *ctx, const struct vh_opt *o, const struct vh_opt_val *v)
{
	struct steps *s = ctx;

	switch (o->id) {
	case OPT_CHANNEL:
		s->channel = (int)v->num;
		break;
	case OPT_SCRATCH:
		s->scratch = v->str;
		break;
	case OPT_FROM:
		s->from = (int)v->num;
		break;
	}
	return 0;
}

/* The guest's uptime as /proc/uptime says it ("12.34"), or "0". */
static void uptime(char buf[32])
{
	FILE *f = fopen("/proc/uptime", "re");

	if (!f || fscanf(f, "%31s", buf) != 1)
		snprintf(buf, 32, "0");
	if (f)
		fclose(f);
}

static int say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int say(int fd, const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return vh_write_all(fd, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* The step's results file as one section of the channel. */
static int send_results(int fd, const char *path, int rc)
{
	char *data = NULL;
	size_t len = 0;
	int err;

	err = vh_read_file(path, 64 << 20, &data, &len);
	if (err) {
		/* sent empty: the host reports the step as one without results */
		vh_err(path, "cannot send the step's results: %s", strerror(-err));
		len = 0;
	}
	err = say(fd, "@@bpfgate begin results %zu\n", len);
	if (!err && data && len)
		err = vh_write_all(fd, data, len);
	free(data);
	return err ?: say(fd, "\n@@bpfgate end results %d\n", rc);
}

/* One step: verify with argv, its stdout in results. The verify status, or 2. */
static int run_step(int argc, char **argv, const char *results)
{
	int saved, fd, status;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(results, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (saved < 0 || fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		vh_err(results, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		if (saved >= 0)
			close(saved);
		return VH_EXIT_USAGE;
	}
	close(fd);
	vh_out_file__reset_stdout();
	status = do_verify(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return status;
}

/* The step in progress in path; 0 or -1 with errno. */
static int write_state(const char *path, const char *state)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644), err;

	if (fd < 0)
		return -1;
	err = vh_write_all(fd, state, strlen(state));
	if (close(fd) || err) {
		errno = err ? -err : errno;
		return -1;
	}
	return 0;
}

/* The steps after "--": COUNT ARG... each. Their number, or -1 (said). */
static int count_steps(int argc, char **argv)
{
	int n = 0;

	for (int i = 0; i < argc; n++) {
		char *e;
		long c;

		errno = 0;
		c = strtol(argv[i], &e, 10);
		if (errno || *e || e == argv[i] || c < 1 || c > argc - i - 1) {
			vh_err(argv[i], "not the argument count of a step (%d arguments left)",
			       argc - i - 1);
			return -1;
		}
		i += (int)c + 1;
	}
	return n;
}

int do_steps(int argc, char **argv)
{
	struct steps s = { .channel = 3, .from = 1 };
	char results[4096], at[4096], t0[32], t1[32];
	int first, nsteps, worst = VH_EXIT_OK;

	first = vh_opts__parse(&steps_cmd, argc, argv, steps_opt, &s, true);
	if (first <= 0)
		return first ? VH_EXIT_USAGE : VH_EXIT_OK;
	if (!s.scratch) {
		vh_err("steps", "--scratch DIR is needed (try 'bpfgate steps --help')");
		return VH_EXIT_USAGE;
	}
	if ((size_t)snprintf(results, sizeof(results), "%s/results.json", s.scratch) >=
		    sizeof(results) ||
	    (size_t)snprintf(at, sizeof(at), "%s/at", s.scratch) >= sizeof(at)) {
		vh_err(s.scratch, "%s", strerror(ENAMETOOLONG));
		return VH_EXIT_USAGE;
	}
	argc -= first;
	argv += first;
	nsteps = count_steps(argc, argv);
	if (nsteps <= 0) {
		if (!nsteps)
			vh_err("steps", "no steps given (try 'bpfgate steps --help')");
		return VH_EXIT_USAGE;
	}
	/* Every step that loads shares the process's one index of the kernel BTF:
	 * made now, it is inherited by the workers each step forks. */
	vh_vmlinux_btf__index();
	for (int i = 0, step = 1; i < argc; step++) {
		int count = atoi(argv[i]), status;
		char **sargv = argv + i; /* argv[i] becomes the step's argv[0] */
		char state[64];

		i += count + 1;
		if (step < s.from)
			continue;
		uptime(t0);
		snprintf(state, sizeof(state), "%d %s\n", step, t0);
		if (write_state(at, state)) {
			vh_err(at, "cannot write the step in progress: %s", strerror(errno));
			return VH_EXIT_USAGE;
		}
		say(s.channel, "@@bpfgate step %d %d\n", step, nsteps);
		sargv[0] = "verify";
		status = run_step(count + 1, sargv, results);
		if (status > worst)
			worst = status;
		unlink(at);
		send_results(s.channel, results, status);
		uptime(t1);
		say(s.channel, "@@bpfgate took %d %s %s\n", step, t0, t1);
	}
	return worst;
}
