// SPDX-License-Identifier: BSD-2-Clause
/* test_vm.c: the matrix's host side: guest output framing, initramfs, preflight. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_cache.h"
#include "vm.h"
#include "unit_main.h"

static void setup(void)
{
	vh_unit_dir_make(vh_unit_tmpdir, sizeof(vh_unit_tmpdir), "vm");
}

static void teardown(void)
{
	vh_unit_dir_remove(vh_unit_tmpdir);
}

/* The JSON in a section may itself contain marker-like text; lengths decide. */
#define JSON "{\"results\":[{\"error\":\"\\n@@bpfgate end results 0\\n\"}]}"

START_TEST(guest_out_framed)
{
	struct vh_guest_out g;
	char text[1024];
	int n;

	n = snprintf(text, sizeof(text),
		     "noise before\n@@bpfgate hello 5.10.0-32-amd64 4.25\n"
		     "@@bpfgate begin probe 2\n{}\n@@bpfgate end probe 0\n"
		     "@@bpfgate verify 5.00\n@@bpfgate verified 6.50\n"
		     "@@bpfgate begin results %zu\n%s\n@@bpfgate end results 1\n"
		     /* a step's timing line is for bench/matrix.sh: no marker, no noise */
		     "@@bpfgate took 1 5.00 6.40\n"
		     "@@bpfgate begin stderr 0\n\n@@bpfgate end stderr 1\n"
		     "@@bpfgate done 6.60\n",
		     strlen(JSON), JSON);
	vh_unit_write_file(vh_unit_path("out"), text, n);
	ck_assert_int_eq(vh_guest_out__parse(vh_unit_path("out"), &g), 0);
	ck_assert_str_eq(g.release, "5.10.0-32-amd64");
	ck_assert_msg(g.hello && g.verified && g.done, "markers");
	ck_assert_int_eq(g.nresults, 1);
	ck_assert_str_eq(g.results[0].data, JSON);
	ck_assert_uint_eq(g.results[0].len, strlen(JSON));
	ck_assert_int_eq(g.results[0].rc, 1);
	ck_assert_int_eq(g.results[0].step, 0);
	ck_assert_int_eq(g.verify_rc, 1);
	ck_assert_int_eq(g.steps_started, 0);
	ck_assert_str_eq(g.probe, "{}");
	ck_assert_str_eq(g.stderr_text, "");
	ck_assert_str_eq(g.problem, "");
	ck_assert_msg(g.verify_end - g.verify_start > 1.49 && g.verify_end - g.verify_start < 1.51,
		      "verify times");
	vh_guest_out__free(&g);
}
END_TEST

START_TEST(guest_out_cut_short)
{
	struct vh_guest_out g;
	const char *text = "@@bpfgate hello 7.2.13+deb14-amd64 3.0\n"
			   "@@bpfgate begin results 500\n{\"results\": [";

	vh_unit_write_file(vh_unit_path("out"), text, strlen(text));
	ck_assert_int_eq(vh_guest_out__parse(vh_unit_path("out"), &g), 0);
	ck_assert_msg(g.hello, "hello");
	ck_assert_msg(!g.results && !g.nresults, "a cut section is not used");
	ck_assert_int_eq(g.verify_rc, -1);
	ck_assert_msg(strstr(g.problem, "cut short"), "problem: %s", g.problem);
	vh_guest_out__free(&g);
}
END_TEST

START_TEST(guest_out_garbled_end)
{
	struct vh_guest_out g;
	const char *text = "@@bpfgate begin results 2\n{}\n@@bpfgate end stderr 0\n";

	vh_unit_write_file(vh_unit_path("out"), text, strlen(text));
	ck_assert_int_eq(vh_guest_out__parse(vh_unit_path("out"), &g), 0);
	ck_assert_msg(!g.nresults, "a section with the wrong end is not used");
	ck_assert_msg(strstr(g.problem, "garbled"), "problem: %s", g.problem);
	vh_guest_out__free(&g);
	ck_assert_int_eq(vh_guest_out__parse(vh_unit_path("missing"), &g), -ENOENT);
}
END_TEST

/* A guest that writes without end: its channel is refused, not read into memory. */
START_TEST(guest_out_too_big)
{
	struct vh_guest_out g;
	const char *text = "@@bpfgate hello 6.1.0 1.0\n";

	vh_unit_write_file(vh_unit_path("out"), text, strlen(text));
	ck_assert_int_eq(vh_guest_out__parse(vh_unit_path("out"), &g), 0);
	ck_assert(g.hello);
	vh_guest_out__free(&g);
	/* sparse: takes no disk */
	ck_assert_int_eq(truncate(vh_unit_path("out"), VH_GUEST_OUT_MAX + 1), 0);
	ck_assert_int_eq(vh_guest_out__parse(vh_unit_path("out"), &g), -EFBIG);
}
END_TEST

/* The last lines of a console far larger than memory: only its end is read. */
START_TEST(tail_of_a_flooded_console)
{
	const char *end = "\nsecond to last\nlast line\n";
	char *tail;
	FILE *f;

	vh_unit_write_file(vh_unit_path("console.log"), "", 0);
	ck_assert_int_eq(truncate(vh_unit_path("console.log"), 64LL << 30), 0);
	f = fopen(vh_unit_path("console.log"), "a");
	ck_assert_ptr_nonnull(f);
	fputs(end, f);
	fclose(f);
	tail = vh_vm__tail(vh_unit_path("console.log"), 2);
	ck_assert_ptr_nonnull(tail);
	ck_assert_str_eq(tail, "second to last\nlast line");
	free(tail);
}
END_TEST

/* A channel of three steps whose VM died while the third step's results were sent. */
static int steps_channel(char *text, size_t size)
{
	return snprintf(text, size,
			"@@bpfgate hello 6.1.0-56-amd64 2.5\n"
			"@@bpfgate begin probe 2\n{}\n@@bpfgate end probe 0\n"
			"@@bpfgate verify 3.0\n"
			"@@bpfgate step 1 3\n"
			"@@bpfgate begin results 9\n{\"a\": 1}\n\n@@bpfgate end results 2\n"
			"console noise\n"
			"@@bpfgate step 2 3\n"
			"@@bpfgate begin results 8\n{\"b\": 2}\n@@bpfgate end results 1\n"
			"@@bpfgate step 3 3\n"
			"@@bpfgate begin results 40\n{\"c\": ");
}

START_TEST(guest_out_steps)
{
	struct vh_guest_out g;
	char text[1024];
	int n = steps_channel(text, sizeof(text));

	vh_unit_write_file(vh_unit_path("out"), text, n);
	ck_assert_int_eq(vh_guest_out__parse(vh_unit_path("out"), &g), 0);
	ck_assert_int_eq(g.steps_started, 3);
	ck_assert_int_eq(g.steps_total, 3);
	/* the earlier sections are kept, in order, the cut one is not */
	ck_assert_int_eq(g.nresults, 2);
	ck_assert_str_eq(g.results[0].data, "{\"a\": 1}\n");
	ck_assert_int_eq(g.results[0].step, 1);
	ck_assert_int_eq(g.results[0].rc, 2);
	ck_assert_str_eq(g.results[1].data, "{\"b\": 2}");
	ck_assert_int_eq(g.results[1].step, 2);
	ck_assert_int_eq(g.results[1].rc, 1);
	ck_assert_int_eq(g.verify_rc, 2);
	ck_assert_msg(strstr(g.problem, "'results' is cut short"), "problem: %s", g.problem);
	ck_assert_msg(g.hello && !g.verified && !g.done, "markers");
	ck_assert_str_eq(g.probe, "{}");
	vh_guest_out__free(&g);
}
END_TEST

/* Cut anywhere, the channel gives exactly the sections whose end marker arrived whole. */
START_TEST(guest_out_cut_everywhere)
{
	char text[1024];
	int n = steps_channel(text, sizeof(text));
	const char *e1 = strstr(text, "@@bpfgate end results 2\n");
	const char *e2 = strstr(text, "@@bpfgate end results 1\n");
	size_t whole1 = e1 - text + strlen("@@bpfgate end results 2\n");
	size_t whole2 = e2 - text + strlen("@@bpfgate end results 1\n");

	for (int cut = 0; cut <= n; cut++) {
		struct vh_guest_out g;
		int want = (size_t)cut >= whole2 ? 2 : (size_t)cut >= whole1 ? 1 : 0;

		vh_unit_write_file(vh_unit_path("out"), text, cut);
		ck_assert_int_eq(vh_guest_out__parse(vh_unit_path("out"), &g), 0);
		ck_assert_msg(g.nresults == want, "cut at %d: %d sections, want %d", cut,
			      g.nresults, want);
		ck_assert_int_eq(g.verify_rc, want ? 2 : -1);
		ck_assert_msg(g.steps_started <= 3 && g.steps_total <= 3, "cut at %d: steps", cut);
		vh_guest_out__free(&g);
	}
}
END_TEST

/* Hostile channels: never a crash or a read past the end, never a bogus step. */
START_TEST(guest_out_hostile)
{
	static const struct {
		const char *text;
		size_t len;
		int nresults, started, total;
	} cases[] = {
#define C(t, r, s, n) { t, sizeof(t) - 1, r, s, n }
		C("@@bpfgate begin results 18446744073709551615\nx\n@@bpfgate end results 0\n",
		  0, 0, 0),
		C("@@bpfgate begin results -1\nx\n@@bpfgate end results 0\n", 0, 0, 0),
		C("@@bpfgate begin results 1\nx\n@@bpfgate end results -5\n", 0, 0, 0),
		C("@@bpfgate begin results 1\nx\n@@bpfgate end results 99999999999\n", 0, 0, 0),
		C("@@bpfgate begin results 1\nx\n@@bpfgate end results 0 extra\n", 0, 0, 0),
		C("@@bpfgate begin results 1\nx\n@@bpfgate end resultsX 0\n", 0, 0, 0),
		C("@@bpfgate begin results 1\nx\n@@bpfgate end results\n", 0, 0, 0),
		C("@@bpfgate begin results 3\na\0b\n@@bpfgate end results 0\n", 1, 0, 0),
		C("@@bpfgate step 4 3\n@@bpfgate step 0 3\n@@bpfgate step -1 3\n", 0, 0, 0),
		C("@@bpfgate step 1 99999999999\n@@bpfgate step 1\n@@bpfgate step 1 2 3\n",
		  0, 0, 0),
		C("@@bpfgate step 2 5\n@@bpfgate step x 5\n@@bpfgate step 1 5x\n", 0, 2, 5),
		C("@@bpfgate step 1 1\n@@bpfgate begin results 0\n\n@@bpfgate end results 0\n"
		  "@@bpfgate begin stderr 0\n\n@@bpfgate end stderr 0", 1, 1, 1),
		C("@@bpfgate begin\n@@bpfgate begin results\n@@bpfgate hello\n", 0, 0, 0),
#undef C
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vh_guest_out g;

		vh_unit_write_file(vh_unit_path("out"), cases[i].text, cases[i].len);
		ck_assert_int_eq(vh_guest_out__parse(vh_unit_path("out"), &g), 0);
		ck_assert_msg(g.nresults == cases[i].nresults, "case %zu: %d sections", i,
			      g.nresults);
		ck_assert_msg(g.steps_started == cases[i].started &&
				      g.steps_total == cases[i].total,
			      "case %zu: step %d of %d", i, g.steps_started, g.steps_total);
		if (g.nresults)
			ck_assert_int_eq(g.verify_rc, 0);
		vh_guest_out__free(&g);
	}
}
END_TEST

/* A stand-in for bpfgate in the guest script. Its `steps` frames each step as bpfgate
 * steps does, with the step's arguments as the "JSON"; the object bb fails, and there
 * DIE=1 kills the guest script (a VM that dies) and DIE=step the steps process itself
 * (after writing part of its results): the script must send them and go on after it. */
static const char fake_bpfgate[] =
	"#!/bin/sh\n"
	"if [ \"$1\" = kernel ]; then echo '{\"probe\": 1}'; exit 0; fi\n"
	"[ \"$1\" = steps ] || exit 2\n"
	"shift\n"
	"from=1 sc=\n"
	"while [ \"$1\" != -- ]; do\n"
	"\tcase $1 in --scratch) sc=$2 ;; --from) from=$2 ;; esac\n"
	"\tshift 2\n"
	"done\n"
	"shift\n"
	"n=0 skip=0\n"
	"for x in \"$@\"; do\n"
	"\tif [ $skip -gt 0 ]; then skip=$((skip - 1)); continue; fi\n"
	"\tn=$((n + 1)) skip=$x\n"
	"done\n"
	"i=0 worst=0\n"
	"while [ $# -gt 0 ]; do\n"
	"\tc=$1 args= i=$((i + 1))\n"
	"\tshift\n"
	"\twhile [ $c -gt 0 ]; do args=\"$args $1\"; shift; c=$((c - 1)); done\n"
	"\t[ $i -lt $from ] && continue\n"
	"\techo \"$i 1.00\" >\"$sc/at\"\n"
	"\techo \"@@bpfgate step $i $n\" >&3\n"
	"\techo \"ran$args\" >&2\n"
	"\trc=0\n"
	"\tcase \"$args\" in\n"
	/* the object's own name: the temporary folder's may hold "bb" too */
	"\t*/bb\\ *|*/bb)\n"
	"\t\tprintf 'bb' >\"$sc/results.json\"\n"
	"\t\t[ \"$DIE\" = 1 ] && { kill -KILL $PPID; exit 2; }\n"
	"\t\t[ \"$DIE\" = step ] && kill -KILL $$\n"
	"\t\trc=2 ;;\n"
	"\t*) printf 'verify%s' \"$args\" >\"$sc/results.json\" ;;\n"
	"\tesac\n"
	"\trm -f \"$sc/at\"\n"
	"\tprintf '@@bpfgate begin results %s\\n' $(wc -c <\"$sc/results.json\") >&3\n"
	"\tcat \"$sc/results.json\" >&3\n"
	"\tprintf '\\n@@bpfgate end results %s\\n@@bpfgate took %s 1.00 2.00\\n' $rc $i >&3\n"
	"\t[ $rc -gt $worst ] && worst=$rc\n"
	"done\n"
	"exit $worst\n";

static void run_guest_script(const char *die)
{
	char cmd[1200];

	/* its mounts (none when the host has them all) stay in a namespace of their own */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && if [ \"$(id -u)\" = 0 ] && unshare -m --propagation private true "
		 "2>/dev/null; then DIE=%s unshare -m --propagation private sh guest.sh; "
		 "else DIE=%s sh guest.sh; fi >/dev/null 2>&1",
		 vh_unit_tmpdir, die, die);
	/* killed: the shell's status says so, and the test looks at what came back */
	(void)system(cmd);
}

START_TEST(guest_script_steps)
{
	const char *args[] = { "--prog", "it's" };
	const char *objs[2], *tests[1];
	struct vh_guest_plan plan;
	struct vh_guest_out g;
	char errbuf[256], want[600];
	char *a, *bb, *t;

	vh_unit_write_file(vh_unit_path("a.bpf.o"), "A", 1);
	vh_unit_write_file(vh_unit_path("bb"), "B", 1);
	vh_unit_write_file(vh_unit_path("t1"), "#!/bin/sh\n", 10);
	vh_unit_write_file(vh_unit_path("fake"), fake_bpfgate, sizeof(fake_bpfgate) - 1);
	ck_assert_int_eq(chmod(vh_unit_path("fake"), 0755), 0);
	a = realpath(vh_unit_path("a.bpf.o"), NULL);
	bb = realpath(vh_unit_path("bb"), NULL);
	t = realpath(vh_unit_path("t1"), NULL);
	ck_assert_msg(a && bb && t, "realpath");
	objs[0] = a;
	objs[1] = bb;
	tests[0] = t;
	plan = (struct vh_guest_plan){ .objs = objs, .nobjs = 2, .guest_args = args,
				       .nguest_args = 2, .tests = tests, .ntests = 1,
				       .probe = true };
	ck_assert_int_eq(vh_vm__write_vng_script(vh_unit_path("guest.sh"), vh_unit_path("fake"), vh_unit_tmpdir, &plan,
						 errbuf, sizeof(errbuf)),
			 0);

	/* every step ran: one verify per object and per test, each its own section */
	run_guest_script("0");
	ck_assert_int_eq(vh_guest_out__parse(vh_unit_path("guest.out"), &g), 0);
	ck_assert_msg(g.hello && g.verified && g.done, "markers");
	ck_assert_str_eq(g.problem, "");
	ck_assert_int_eq(g.steps_started, 3);
	ck_assert_int_eq(g.steps_total, 3);
	ck_assert_int_eq(g.nresults, 3);
	snprintf(want, sizeof(want), "verify --json --no-cache --prog it's %s "
		 "--probe %s/probe.json", a, vh_unit_tmpdir);
	ck_assert_str_eq(g.results[0].data, want);
	ck_assert_int_eq(g.results[0].rc, 0);
	ck_assert_int_eq(g.results[0].step, 1);
	ck_assert_str_eq(g.results[1].data, "bb");
	ck_assert_int_eq(g.results[1].rc, 2);
	snprintf(want, sizeof(want), "verify --json --no-cache --prog it's --test %s "
		 "--probe %s/probe.json", t, vh_unit_tmpdir);
	ck_assert_str_eq(g.results[2].data, want);
	ck_assert_int_eq(g.results[2].step, 3);
	ck_assert_int_eq(g.verify_rc, 2);
	ck_assert_str_eq(g.probe, "{\"probe\": 1}\n");
	/* all steps' stderr, in order, in one section */
	ck_assert_msg(g.stderr_text && strstr(g.stderr_text, a) &&
			      strstr(g.stderr_text, bb) > strstr(g.stderr_text, a) &&
			      strstr(g.stderr_text, t) > strstr(g.stderr_text, bb),
		      "stderr: %s", g.stderr_text);
	vh_guest_out__free(&g);

	/* the steps process dies in step 2: what it wrote comes back with the status it
	 * died with, and step 3 runs in a new one */
	run_guest_script("step");
	ck_assert_int_eq(vh_guest_out__parse(vh_unit_path("guest.out"), &g), 0);
	ck_assert_msg(g.hello && g.verified && g.done, "markers");
	ck_assert_int_eq(g.steps_started, 3);
	ck_assert_int_eq(g.nresults, 3);
	ck_assert_str_eq(g.results[1].data, "bb");
	ck_assert_int_eq(g.results[1].step, 2);
	ck_assert_int_eq(g.results[1].rc, 128 + SIGKILL);
	ck_assert_int_eq(g.results[2].step, 3);
	ck_assert_msg(strstr(g.results[2].data, t), "step 3: %s", g.results[2].data);
	ck_assert_int_eq(g.verify_rc, 128 + SIGKILL);
	vh_guest_out__free(&g);

	/* the guest dies in step 2: step 1's results came back, nothing after */
	run_guest_script("1");
	ck_assert_int_eq(vh_guest_out__parse(vh_unit_path("guest.out"), &g), 0);
	ck_assert_msg(g.hello && !g.verified && !g.done, "markers");
	ck_assert_int_eq(g.steps_started, 2);
	ck_assert_int_eq(g.nresults, 1);
	ck_assert_int_eq(g.results[0].step, 1);
	ck_assert_msg(strstr(g.results[0].data, a), "step 1: %s", g.results[0].data);
	vh_guest_out__free(&g);
	free(a);
	free(bb);
	free(t);
}
END_TEST

START_TEST(initramfs_layout)
{
	struct vh_guest_plan plan = { 0 };
	const char *objs[2], *tests[1];
	const char *args[] = { "--prog", "it's" };
	const char *steps[] = {
		"\n\t\t$((5 + $#)) --json --no-cache '--prog' 'it'\\''s' 'o/0/a.bpf.o' \"$@\" \\\n",
		"\n\t\t$((5 + $#)) --json --no-cache '--prog' 'it'\\''s' 'o/1/bb' \"$@\" \\\n",
		"\n\t\t$((6 + $#)) --json --no-cache '--prog' 'it'\\''s' --test '/w/t/0/t1' "
		"\"$@\" \\\n",
	};
	char cmd[1200], names[4096] = "", errbuf[256], *verify;
	size_t n;
	FILE *p;

	vh_unit_write_file(vh_unit_path("a.bpf.o"), "AAAA", 4);
	vh_unit_write_file(vh_unit_path("bb"), "B", 1);
	vh_unit_write_file(vh_unit_path("busybox"), "#!busybox", 9);
	vh_unit_write_file(vh_unit_path("bpfgate"), "#!bpfgate", 9);
	vh_unit_write_file(vh_unit_path("t1"), "#!/bin/sh\n", 10);
	/* vh_unit_path()'s buffers are reused: keep copies */
	objs[0] = strdup(vh_unit_path("a.bpf.o"));
	objs[1] = strdup(vh_unit_path("bb"));
	tests[0] = strdup(vh_unit_path("t1"));
	plan = (struct vh_guest_plan){ .objs = objs, .nobjs = 2, .guest_args = args,
				       .nguest_args = 2, .tests = tests, .ntests = 1,
				       .probe = true };
	ck_assert_int_eq(vh_vm__build_initramfs(vh_unit_path("i.cpio"), vh_unit_path("busybox"), vh_unit_path("bpfgate"),
						&plan, errbuf, sizeof(errbuf)),
			 0);
	/* the archive as cpio itself reads it: no host path inside */
	snprintf(cmd, sizeof(cmd), "cpio -it --quiet < %s", vh_unit_path("i.cpio"));
	p = popen(cmd, "r");
	ck_assert_msg(p, "popen cpio");
	n = fread(names, 1, sizeof(names) - 1, p);
	names[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_str_eq(names, "bin\ndev\nproc\nsys\ntmp\nw\nw/o\ndev/console\ninit\n"
				"bin/busybox\nbin/bpfgate\nw/o/0\nw/o/0/a.bpf.o\nw/o/1\nw/o/1/bb\n"
				"w/t\nw/t/0\nw/t/0/t1\n");
	/* the objects' bytes and the init script's arguments, quoted for sh */
	snprintf(cmd, sizeof(cmd), "cd %s && mkdir x && cd x && cpio -id --quiet < ../i.cpio",
		 vh_unit_tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "cmp -s %s %s/x/w/o/0/a.bpf.o", vh_unit_path("a.bpf.o"), vh_unit_tmpdir);
	ck_assert_msg(system(cmd) == 0, "the object's bytes in the initramfs");
	/* one step per object and per test, objects first, each with the extra arguments */
	p = fopen(vh_unit_path("x/init"), "r");
	ck_assert_msg(p, "x/init");
	n = fread(names, 1, sizeof(names) - 1, p);
	names[n] = '\0';
	fclose(p);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		ck_assert_msg(strstr(names, steps[i]), "no line %s in\n%s", steps[i], names);
	ck_assert_msg(strstr(names, "while [ $n -le 3 ]"), "steps of 3");
	verify = strstr(names, "\"$B\" steps");
	ck_assert_msg(verify && !strstr(verify + 1, "\"$B\" steps"), "one steps command line");
	ck_assert_msg(strstr(names, "\"$B\" verify") == NULL, "no verify of its own");
	ck_assert_msg(strstr(verify, "t1' \"$@\" \\\n\t\t2>>"), "no fourth step");
	free((void *)objs[0]);
	free((void *)objs[1]);
	free((void *)tests[0]);
}
END_TEST

START_TEST(preflight)
{
	const char *const *qemu = vh_vm_qemu.kconfig_needs, *const *vng = vh_vm_vng.kconfig_needs;
	struct vh_kernel_spec spec = { 0 };
	char missing[256];
	const char *full = "CONFIG_BPF_SYSCALL=y\nCONFIG_DEBUG_INFO_BTF=y\nCONFIG_BLK_DEV_INITRD=y\n"
			   "CONFIG_DEVTMPFS=y\nCONFIG_SERIAL_8250=y\nCONFIG_SERIAL_8250_CONSOLE=y\n"
			   "CONFIG_VIRTIO_CONSOLE=m\nCONFIG_NET_9P_VIRTIO=m\nCONFIG_9P_FS=m\n";
	const char *thin = "CONFIG_BPF_SYSCALL=y\n# CONFIG_DEBUG_INFO_BTF is not set\n"
			   "CONFIG_SERIAL_8250=m\nCONFIG_VIRTIO_FS=y\n";

	ck_assert_int_eq(vh_kernel__preflight(&spec, qemu, missing, sizeof(missing)), -ENOENT);
	vh_unit_write_file(vh_unit_path("full"), full, strlen(full));
	snprintf(spec.config, sizeof(spec.config), "%s", vh_unit_path("full"));
	ck_assert_int_eq(vh_kernel__preflight(&spec, qemu, missing, sizeof(missing)), 0);
	ck_assert_int_eq(vh_kernel__preflight(&spec, vng, missing, sizeof(missing)), 0);
	vh_unit_write_file(vh_unit_path("thin"), thin, strlen(thin));
	snprintf(spec.config, sizeof(spec.config), "%s", vh_unit_path("thin"));
	ck_assert_int_eq(vh_kernel__preflight(&spec, qemu, missing, sizeof(missing)), -ENOTSUP);
	ck_assert_str_eq(missing, "CONFIG_DEBUG_INFO_BTF CONFIG_BLK_DEV_INITRD CONFIG_DEVTMPFS "
				  "CONFIG_SERIAL_8250 CONFIG_SERIAL_8250_CONSOLE");
	ck_assert_int_eq(vh_kernel__preflight(&spec, vng, missing, sizeof(missing)), -ENOTSUP);
	ck_assert_str_eq(missing, "CONFIG_DEBUG_INFO_BTF CONFIG_VIRTIO_CONSOLE");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vm");
	TCase *tc = tcase_create("host side");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* hundreds of small files and parses: slow under ASan on a loaded machine */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, guest_out_framed);
	tcase_add_test(tc, guest_out_cut_short);
	tcase_add_test(tc, guest_out_garbled_end);
	tcase_add_test(tc, guest_out_too_big);
	tcase_add_test(tc, tail_of_a_flooded_console);
	tcase_add_test(tc, guest_out_steps);
	tcase_add_test(tc, guest_out_cut_everywhere);
	tcase_add_test(tc, guest_out_hostile);
	tcase_add_test(tc, guest_script_steps);
	tcase_add_test(tc, initramfs_layout);
	tcase_add_test(tc, preflight);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
