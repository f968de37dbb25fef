// SPDX-License-Identifier: BSD-2-Clause
/* test_result_kernels.c: the kernels[] array of result files: round trips, old files, merges, skips. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result_json.h"
#include "unit_main.h"

#define PROBE_510 "{\"kernel\":\"5.10.0-32-amd64\",\"kvm\":false," \
		  "\"prog_types\":[\"socket_filter\",\"kprobe\",\"xdp\",\"tracing\"]," \
		  "\"map_types\":[\"hash\",\"array\"],\"helpers\":{\"kprobe\":[1,2,3]}}"
#define PROBE_419 "{\"kernel\":\"4.19.0\",\"kvm\":false,\"prog_types\":[\"xdp\"]," \
		  "\"map_types\":[\"hash\"],\"helpers\":{}}"
/* a locked-down kernel: fentry-style loads refused with EPERM */
#define PROBE_LOCKED "{\"kernel\":\"6.18.0-locked\",\"kvm\":false,\"prog_types\":[\"xdp\"]," \
		     "\"prog_types_refused\":[\"tracing\"],\"map_types\":[],\"helpers\":{}}"

/* A probe read from its JSON text, or fail the test. */
static struct vh_probe *probe_of(const char *text)
{
	struct vh_probe *p = calloc(1, sizeof(*p));
	char err[256];

	ck_assert_ptr_nonnull(p);
	ck_assert_msg(!vh_probe__parse(text, strlen(text), p, err, sizeof(err)), "%s: %s", text,
		      err);
	return p;
}

/* The probe as compact JSON text (caller frees), to compare with what was read. */
static char *probe_text(const struct vh_probe *p)
{
	char *text = NULL;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(vh_probe__to_text(p, &text), 0);
	return text;
}

static struct vh_result *add(struct vh_result_set *set, const char *kernel, const char *program,
			     const char *prog_type, enum vh_verdict v, const char *reason)
{
	struct vh_result *r = vh_result_set__add(set);

	ck_assert_ptr_nonnull(r);
	r->kernel = strdup(kernel);
	r->object = strdup("o.bpf.o");
	r->program = strdup(program);
	r->prog_type = prog_type ? strdup(prog_type) : NULL;
	r->verdict = v;
	r->reason = reason ? strdup(reason) : NULL;
	r->kind = vh_result__kind_of(r); /* as the reader would */
	return r;
}

static void add_kernel(struct vh_result_set *set, const char *release, const char *series,
		       const char *backend, const char *accel, double boot, double verify,
		       const char *probe)
{
	struct vh_kernel_info *k = vh_result_set__add_kernel(set);

	ck_assert_ptr_nonnull(k);
	k->release = strdup(release);
	k->series = strdup(series);
	k->backend = strdup(backend);
	k->accel = accel ? strdup(accel) : NULL;
	k->boot_s = boot;
	k->verify_s = verify;
	k->probe = probe ? probe_of(probe) : NULL;
}

static void fill(struct vh_result_set *set)
{
	set->version = strdup("1.2.3");
	add(set, "6.18.0", "p", "xdp", VH_PASS, NULL);
	add(set, "5.10.0-32-amd64", "p", "xdp", VH_PASS, NULL);
	add_kernel(set, "6.18.0", "host", "host", NULL, -1, 0.25, NULL);
	add_kernel(set, "5.10.0-32-amd64", "5.10", "qemu", "tcg", 3.5, 20.125, PROBE_510);
}

START_TEST(test_round_trip)
{
	struct vh_result_set set = {}, back = {};
	char err[256], *json, *probe;

	fill(&set);
	json = vh_unit_result_json(&set, _i);
	ck_assert_msg(!vh_result_set__parse_json(json, strlen(json), &back, err, sizeof(err)),
		      "parse: %s\n%s", err, json);
	ck_assert_uint_eq(back.nkernels, 2);
	ck_assert_msg(vh_result_set__json_equal(&set, &back), "round trip changed:\n%s", json);
	ck_assert_str_eq(back.kernels[1].series, "5.10");
	ck_assert_str_eq(back.kernels[1].accel, "tcg");
	ck_assert_ptr_null(back.kernels[0].accel);
	ck_assert(back.kernels[0].boot_s < 0);
	ck_assert(back.kernels[1].boot_s > 3.49 && back.kernels[1].boot_s < 3.51);
	/* the probe is the same JSON, compact */
	probe = probe_text(back.kernels[1].probe);
	ck_assert_str_eq(probe, PROBE_510);
	free(probe);
	ck_assert_ptr_null(back.kernels[0].probe);
	/* null where unknown, and after the summary */
	ck_assert_ptr_nonnull(strstr(json, _i ? "\"boot_s\": null" : "\"boot_s\":null"));
	ck_assert(strstr(json, "\"summary\"") < strstr(json, "\"kernels\""));
	free(json);
	vh_result_set__free(&set);
	vh_result_set__free(&back);
}
END_TEST

/* The equality the round trip relies on sees every field of a kernel. */
START_TEST(test_equal_detects_kernel_changes)
{
	struct vh_result_set a = {}, b = {};

	fill(&a);
	fill(&b);
	ck_assert(vh_result_set__json_equal(&a, &b));
	b.kernels[1].boot_s = 4;
	ck_assert(!vh_result_set__json_equal(&a, &b));
	b.kernels[1].boot_s = 3.5;
	vh_probe__free(b.kernels[1].probe);
	b.kernels[1].probe = probe_of(PROBE_419);
	ck_assert(!vh_result_set__json_equal(&a, &b));
	vh_probe__free(b.kernels[1].probe);
	b.kernels[1].probe = NULL;
	ck_assert(!vh_result_set__json_equal(&a, &b));
	vh_result_set__free(&b);
	fill(&b);
	b.nkernels--;
	vh_kernel_info__free(&b.kernels[1]);
	ck_assert(!vh_result_set__json_equal(&a, &b));
	vh_result_set__free(&a);
	vh_result_set__free(&b);
}
END_TEST

/* A file from before kernels[] existed still reads, and a set without kernels writes none. */
START_TEST(test_without_kernels)
{
	const char *old = "{\"version\":\"0.1.0\",\"results\":[{\"kernel\":\"6.1.0\","
			  "\"object\":\"o\",\"program\":\"p\",\"verdict\":\"pass\"}],"
			  "\"summary\":{\"pass\":1,\"fail\":0,\"skip\":0,\"error\":0}}";
	struct vh_result_set set = {};
	char err[256], *json;

	ck_assert_msg(!vh_result_set__parse_json(old, strlen(old), &set, err, sizeof(err)), "%s",
		      err);
	ck_assert_uint_eq(set.n, 1);
	ck_assert_uint_eq(set.nkernels, 0);
	json = vh_unit_result_json(&set, false);
	ck_assert_ptr_null(strstr(json, "kernels"));
	free(json);
	vh_result_set__free(&set);
}
END_TEST

/* Reading merges: the same kernel twice is one entry; a probe once known stays. */
START_TEST(test_merge)
{
	struct vh_result_set set = {}, acc = {};
	struct vh_kernel_info again = { .release = "5.10.0-32-amd64", .series = "5.10",
					.backend = "qemu", .boot_s = 9, .verify_s = -1 };
	struct vh_kernel_info other = { .release = "5.10.0-32-amd64", .series = "5.10",
					.backend = "vng", .boot_s = 18, .verify_s = 2 };
	char err[256], *json, *probe;

	fill(&set);
	json = vh_unit_result_json(&set, false);
	ck_assert_msg(!vh_result_set__parse_json(json, strlen(json), &acc, err, sizeof(err)), "%s",
		      err);
	ck_assert_msg(!vh_result_set__parse_json(json, strlen(json), &acc, err, sizeof(err)), "%s",
		      err);
	ck_assert_uint_eq(acc.n, 4);
	ck_assert_uint_eq(acc.nkernels, 2);
	ck_assert_int_eq(vh_result_set__merge_kernel(&acc, &again), 0);
	ck_assert_uint_eq(acc.nkernels, 2);
	probe = probe_text(acc.kernels[1].probe);
	ck_assert_str_eq(probe, PROBE_510);
	free(probe);
	ck_assert(acc.kernels[1].boot_s == 9);
	/* the same release booted another way is another entry */
	ck_assert_int_eq(vh_result_set__merge_kernel(&acc, &other), 0);
	ck_assert_uint_eq(acc.nkernels, 3);
	ck_assert_ptr_null(acc.kernels[2].probe);
	ck_assert_ptr_eq(vh_result_set__find_kernel(&acc, "6.18.0"), &acc.kernels[0]);
	ck_assert_ptr_null(vh_result_set__find_kernel(&acc, "4.19.0"));
	/* sorting by kernel sorts the kernels too, keeping equal releases in order */
	ck_assert_int_eq(vh_result_set__sort_by_kernel(&acc), 0);
	ck_assert_str_eq(acc.kernels[0].backend, "qemu");
	ck_assert_str_eq(acc.kernels[1].backend, "vng");
	ck_assert_str_eq(acc.kernels[2].release, "6.18.0");
	ck_assert_str_eq(acc.v[0].kernel, "5.10.0-32-amd64");
	free(json);
	vh_result_set__free(&set);
	vh_result_set__free(&acc);
}
END_TEST

static const struct {
	const char *text, *msg;
} bad[] = {
	{ "{\"results\":[],\"kernels\":{}}", "kernels: expected an array" },
	{ "{\"results\":[],\"kernels\":[7]}", "kernels[0]: expected an object" },
	{ "{\"results\":[],\"kernels\":[{\"series\":\"5.10\"}]}", "kernels[0]: missing 'release'" },
	{ "{\"results\":[],\"kernels\":[{\"release\":\"x\",\"boot_s\":\"3\"}]}",
	  "kernels[0].boot_s: expected seconds" },
	{ "{\"results\":[],\"kernels\":[{\"release\":\"x\",\"verify_s\":-1}]}",
	  "kernels[0].verify_s: expected seconds" },
	{ "{\"results\":[],\"kernels\":[{\"release\":\"x\",\"boot_s\":1e300}]}",
	  "kernels[0].boot_s: expected seconds" },
	{ "{\"results\":[],\"kernels\":[{\"release\":\"x\"},{\"release\":\"y\",\"probe\":[]}]}",
	  "kernels[1].probe: expected an object" },
	{ "{\"results\":[],\"kernels\":[{\"release\":\"a\\u0000b\"}]}",
	  "kernels[0].release: expected a string without NUL" },
	{ "{\"results\":[],\"kernels\":[{\"release\":\"x\",\"probe\":{\"helpers\":{\"a\\u0000b\":[1]}}}]}",
	  "kernels[0].probe.helpers: a key contains a NUL character" },
	{ "{\"results\":[],\"kernels\":[{\"release\":\"x\"},{\"release\":\"y\",\"probe\":"
	  "{\"prog_types\":[\"xdp\",7]}}]}",
	  "line 1: kernels[1].probe.prog_types[1]: expected a type name (a string), not number" },
};

START_TEST(test_bad_kernels)
{
	struct vh_result_set set = {};
	char err[256];

	ck_assert_int_eq(vh_result_set__parse_json(bad[_i].text, strlen(bad[_i].text), &set, err,
						   sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, bad[_i].msg), "'%s' not in '%s'", bad[_i].msg, err);
	ck_assert_uint_eq(set.n, 0);
	ck_assert_uint_eq(set.nkernels, 0);
}
END_TEST

START_TEST(test_has_prog_type)
{
	struct vh_kernel_info k = { .probe = probe_of(PROBE_510) };
	struct vh_kernel_info no_list = { .probe = probe_of("{\"kernel\":\"x\"}") };
	struct vh_kernel_info none = { 0 };

	ck_assert_int_eq(vh_kernel_info__has_prog_type(&k, "tracing"), 1);
	ck_assert_int_eq(vh_kernel_info__has_prog_type(&k, "syscall"), 0);
	ck_assert_int_eq(vh_kernel_info__has_prog_type(&no_list, "xdp"), -ENOENT);
	ck_assert_int_eq(vh_kernel_info__has_prog_type(&none, "xdp"), -ENOENT);
	ck_assert_int_eq(vh_kernel_info__has_prog_type(NULL, "xdp"), -ENOENT);
	vh_kernel_info__free(&k);
	vh_kernel_info__free(&no_list);
}
END_TEST

/* Evidence only where the probe shows the type missing; tests and known types untouched. */
START_TEST(test_justify_skips)
{
	struct vh_result_set set = {};
	char *json;

	add(&set, "4.19.0", "uses_fentry", "tracing", VH_SKIP, "needs >= 5.5");
	add(&set, "5.10.0-32-amd64", "uses_fentry", "tracing", VH_SKIP, "needs >= 5.5 (x)");
	add(&set, "4.19.0", "no_reason", "syscall", VH_SKIP, NULL);
	add(&set, "4.19.0", "fails", "tracing", VH_FAIL, NULL);
	add(&set, "4.19.0", "test_flow", "test", VH_SKIP, "needs root");
	add(&set, "6.18.0", "unknown_kernel", "tracing", VH_SKIP, "needs >= 5.5");
	add_kernel(&set, "4.19.0", "4.19", "qemu", "tcg", 1, 1, PROBE_419);
	add_kernel(&set, "5.10.0-32-amd64", "5.10", "qemu", "tcg", 1, 1, PROBE_510);

	ck_assert_int_eq(vh_result_set__justify_skips(&set), 0);
	ck_assert_str_eq(set.v[0].reason,
			 "needs >= 5.5; probe: program type 'tracing' not supported");
	ck_assert_str_eq(set.v[1].reason, "needs >= 5.5 (x)");
	ck_assert_str_eq(set.v[2].reason, "skipped; probe: program type 'syscall' not supported");
	ck_assert_ptr_null(set.v[3].reason);
	ck_assert_str_eq(set.v[4].reason, "needs root");
	ck_assert_str_eq(set.v[5].reason, "needs >= 5.5");
	/* twice is the same as once (the guest and the host both justify) */
	ck_assert_int_eq(vh_result_set__justify_skips(&set), 0);
	ck_assert_str_eq(set.v[0].reason,
			 "needs >= 5.5; probe: program type 'tracing' not supported");
	json = vh_unit_result_json(&set, false);
	ck_assert_ptr_nonnull(strstr(json, "probe: program type 'tracing' not supported"));
	free(json);
	vh_result_set__free(&set);
}
END_TEST

/* A type the kernel refuses is not called unsupported. */
START_TEST(test_justify_refused)
{
	struct vh_result_set set = {};

	add(&set, "6.18.0-locked", "uses_fentry", "tracing", VH_SKIP, "EPERM, no verifier log");
	add(&set, "6.18.0-locked", "uses_lsm", "lsm", VH_SKIP, NULL);
	add_kernel(&set, "6.18.0-locked", "host", "host", NULL, -1, 1, PROBE_LOCKED);
	ck_assert_int_eq(vh_result_set__justify_skips(&set), 0);
	ck_assert_str_eq(set.v[0].reason,
			 "EPERM, no verifier log; probe: program type 'tracing' refused (EPERM)");
	ck_assert_str_eq(set.v[1].reason, "skipped; probe: program type 'lsm' not supported");
	vh_result_set__free(&set);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("result_kernels");
	TCase *tc = tcase_create("json");

	tcase_add_loop_test(tc, test_round_trip, 0, 2);
	tcase_add_test(tc, test_equal_detects_kernel_changes);
	tcase_add_test(tc, test_without_kernels);
	tcase_add_test(tc, test_merge);
	tcase_add_loop_test(tc, test_bad_kernels, 0, sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("skips");
	tcase_add_test(tc, test_has_prog_type);
	tcase_add_test(tc, test_justify_refused);
	tcase_add_test(tc, test_justify_skips);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vh_unit_run(suite());
}
