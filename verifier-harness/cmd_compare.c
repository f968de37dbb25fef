// SPDX-License-Identifier: BSD-2-Clause
/* cmd_compare.c: bpfgate compare BASE.json NEW.json, the statistics regression gate. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "compare.h"
#include "diag.h"
#include "result_json.h"

static const struct option long_opts[] = {
	{ "max-growth", required_argument, NULL, 'g' },
	{ "max-share", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfgate compare [OPTIONS] BASE.json NEW.json\n\n"
		"Compare the verifier statistics of two results of 'bpfgate verify --json',\n"
		"program by program (matched by kernel, object file name and program), and\n"
		"fail when the new one regressed.\n\n"
		"Options:\n"
		"      --max-growth PCT  fail when a program's processed instructions grow by\n"
		"                        more than PCT percent (default %g)\n"
		"      --max-share PCT   fail when a program processes more than PCT percent of\n"
		"                        the verifier's instruction limit (default %g)\n"
		"  -j, --json            the comparison as JSON on stdout\n"
		"  -h, --help            this help\n\n"
		"A file name of - reads standard input. Verification time is shown but never\n"
		"fails. Programs in only one file are listed as added or removed.\n"
		"'bpfgate verify --baseline FILE' runs the same comparison after verifying.\n"
		"Exit status: 0 no regression, 1 a program newly fails or exceeds a limit,\n"
		"2 usage error or an unreadable or malformed file.\n",
		VH_COMPARE_DEFAULT_MAX_GROWTH, VH_COMPARE_DEFAULT_MAX_SHARE);
}

/* "10", "12.5" or "10%": a finite, non-negative percentage */
static int parse_pct(const char *opt, const char *arg, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end != arg && *end == '%')
		end++;
	if (end == arg || *end || errno || !isfinite(v) || v < 0 || v > max) {
		vh_err(opt, "'%s' is not a percentage between 0 and %g", arg, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int load(const char *path, struct vh_result_set *set)
{
	char errbuf[512];
	int err;

	err = vh_result_set__read_json(path, set, errbuf, sizeof(errbuf));
	if (err)
		vh_err(path, "%s", errbuf);
	return err;
}

int do_compare(int argc, char **argv)
{
	struct vh_compare_opts opts = {
		.max_growth_pct = VH_COMPARE_DEFAULT_MAX_GROWTH,
		.max_share_pct = VH_COMPARE_DEFAULT_MAX_SHARE,
	};
	struct vh_result_set base = {}, cur = {};
	int opt, err, ret = VH_EXIT_USAGE;
	const char *no_color = getenv("NO_COLOR");

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:jh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			if (parse_pct("--max-growth", optarg, 1e9, &opts.max_growth_pct))
				return VH_EXIT_USAGE;
			break;
		case 's':
			if (parse_pct("--max-share", optarg, 100, &opts.max_share_pct))
				return VH_EXIT_USAGE;
			break;
		case 'j':
			opts.json = true;
			break;
		case 'h':
			usage(stdout);
			return VH_EXIT_OK;
		case ':':
			vh_err(argv[optind - 1],
			       "needs an argument (try 'bpfgate compare --help')");
			return VH_EXIT_USAGE;
		default:
			vh_err(argv[optind - 1], "unknown option (try 'bpfgate compare --help')");
			return VH_EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		vh_err("compare", "expected two files, BASE.json NEW.json, got %d "
		       "(try 'bpfgate compare --help')", argc - optind);
		return VH_EXIT_USAGE;
	}
	opts.color = !opts.json && isatty(STDOUT_FILENO) && !(no_color && *no_color);
	if (load(argv[optind], &base) || load(argv[optind + 1], &cur))
		goto cleanup;
	err = vh_compare__sets(stdout, &base, &cur, &opts);
	if (err < 0)
		vh_err("compare", "%s", strerror(-err));
	else
		ret = err ? VH_EXIT_FAIL : VH_EXIT_OK;
cleanup:
	vh_result_set__free(&base);
	vh_result_set__free(&cur);
	return ret;
}
