// SPDX-License-Identifier: BSD-2-Clause
/* test_options.c: option tables: defaults, values, ranges, errors, help. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "unit_main.h"

static const struct vh_opt opt_mode = {
	VH_OPT_CMD, "mode", 'm', VH_OPT_ENUM, "a|bb", .choices = "a|bb", .def = "bb",
	.help = "a mode",
};
static const struct vh_opt *const opts[] = {
	&vh_opt_json, &vh_opt_jobs, &vh_opt_max_share, &vh_opt_max_growth, &opt_mode,
	&vh_opt_help, NULL,
};
static const struct vh_cmd_opts cmd = {
	.cmd = "t", .synopsis = "[OPTIONS] X", .about = "About.", .opts = opts,
};

struct seen {
	int json, jobs, mode, defaults;
	double share, growth;
};

static int take(void *ctx, const struct vh_opt *o, const struct vh_opt_val *v)
{
	struct seen *s = ctx;

	s->defaults += v->dflt;
	switch (o->id) {
	case VH_OPT_JSON:
		s->json++;
		break;
	case VH_OPT_JOBS:
		s->jobs = (int)v->num;
		break;
	case VH_OPT_MAX_SHARE:
		s->share = v->num;
		break;
	case VH_OPT_MAX_GROWTH:
		s->growth = v->num;
		break;
	case VH_OPT_CMD:
		s->mode = v->idx;
		break;
	}
	return 0;
}

static int parse(struct seen *s, int argc, const char **argv)
{
	memset(s, 0, sizeof(*s));
	return vh_opts__parse(&cmd, argc, (char **)argv, take, s, false);
}

START_TEST(test_defaults_then_given)
{
	const char *argv[] = { "t", "x", "--jobs", "3", "-j", "--max-share=12.5%", "-m", "a", NULL };
	struct seen s;

	ck_assert_int_eq(parse(&s, 1, argv), 1);
	ck_assert(s.share == 25 && s.growth == 10); /* the shared defaults */
	ck_assert_int_eq(s.mode, 1);
	ck_assert_int_eq(s.defaults, 3);
	/* operands are permuted to the end */
	ck_assert_int_eq(parse(&s, 8, argv), 7);
	ck_assert_str_eq(argv[7], "x");
	ck_assert_int_eq(s.jobs, 3);
	ck_assert_int_eq(s.json, 1);
	ck_assert(s.share == 12.5);
	ck_assert_int_eq(s.mode, 0);
	ck_assert_int_eq(s.defaults, 3);
}
END_TEST

START_TEST(test_bad_values)
{
	static const char *const bad[][2] = {
		{ "--jobs", "0" },	   { "--jobs", "1025" }, { "--jobs", "1.5" },
		{ "--jobs", "2%" },	   { "--jobs", "nan" },	 { "--jobs", " 2" },
		{ "--jobs", "" },	   { "--jobs", "0x10" }, { "--max-share", "100.1" },
		{ "--max-share", "-1" },   { "--max-share", "inf" }, { "--max-share", "nan" },
		{ "--max-share", "5%%" },  { "--max-share", "5x" },  { "--max-share", "0x5" },
		{ "--max-growth", "1001" }, { "--mode", "c" },	 { "--mode", "" },
		{ "--mode", "aa" },
	};
	struct seen s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[] = { "t", bad[i][0], bad[i][1], NULL };

		ck_assert_msg(parse(&s, 3, argv) == -EINVAL, "%s '%s' accepted", bad[i][0],
			      bad[i][1]);
	}
	{
		const char *argv[] = { "t", "--nope", NULL };

		ck_assert_int_eq(parse(&s, 2, argv), -EINVAL);
	}
	{
		const char *argv[] = { "t", "--jobs", NULL };

		ck_assert_int_eq(parse(&s, 2, argv), -EINVAL);
	}
}
END_TEST

START_TEST(test_edges_accepted)
{
	const char *argv[] = { "t", "--jobs", "1024", "--max-share", "100", "--max-growth", "0%",
			       NULL };
	struct seen s;

	ck_assert_int_eq(parse(&s, 7, argv), 7);
	ck_assert_int_eq(s.jobs, 1024);
	ck_assert(s.share == 100 && s.growth == 0);
}
END_TEST

START_TEST(test_help)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vh_opts__usage(f, &cmd);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "Usage: bpfgate t [OPTIONS] X\n"));
	ck_assert_ptr_nonnull(strstr(buf, "  -j, --json "));
	ck_assert_ptr_nonnull(strstr(buf, "(default: 25%)"));
	ck_assert_ptr_nonnull(strstr(buf, "(default: number of CPUs)"));
	ck_assert_ptr_nonnull(strstr(buf, "  -m, --mode a|bb "));
	for (char *line = buf, *nl; *line; line = nl + 1) {
		nl = strchrnul(line, '\n');
		ck_assert_msg(nl - line <= 79, "help line over 79 columns: %.*s", (int)(nl - line),
			      line);
		if (!*nl)
			break;
	}
	free(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("options");

	tcase_add_test(tc, test_defaults_then_given);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_edges_accepted);
	tcase_add_test(tc, test_help);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
