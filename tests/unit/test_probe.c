// SPDX-License-Identifier: BSD-2-Clause
/* test_probe.c: the feature probe as a struct: read, written back byte for byte, bad input. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "kernel_probe.h"
#include "probe.h"
#include "unit_main.h"

#define FIXTURES "tests/fixtures/probe"

/* A probe of a 5.10 guest, written before "prog_types_refused" existed. */
#define PROBE_OLD "{\"kernel\":\"5.10.0-32-amd64\",\"kvm\":false," \
		  "\"prog_types\":[\"socket_filter\",\"kprobe\",\"xdp\"]," \
		  "\"map_types\":[\"hash\",\"array\"],\"helpers\":{\"kprobe\":[1,2,3],\"sched_cls\":[]}}"

static void parse_ok(const char *text, struct vh_probe *p)
{
	char err[256];

	ck_assert_msg(!vh_probe__parse(text, strlen(text), p, err, sizeof(err)), "%s: %s", text,
		      err);
}

static char *text_of(const struct vh_probe *p)
{
	char *t = NULL;

	ck_assert_int_eq(vh_probe__to_text(p, &t), 0);
	return t;
}

static char *document_of(const struct vh_probe *p, bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(vh_probe__write_json(f, p, pretty), 0);
	fclose(f);
	return buf;
}

/* The host's probe as `bpfgate kernel probe` printed it reads into the struct and
 * writes back the same bytes, compact (_i 0) and pretty (_i 1). */
START_TEST(test_golden)
{
	static const char *const files[] = { FIXTURES "/host.json", FIXTURES "/host.pretty.json" };
	char *golden = vh_unit_slurp_top(files[_i]), *back;
	struct vh_probe p;
	size_t n;

	parse_ok(golden, &p);
	ck_assert_str_eq(p.kernel, "6.18.44-fc-v1147");
	ck_assert(p.has_kvm && !p.kvm);
	ck_assert(vh_probe_names__has(&p.prog_types, "xdp"));
	ck_assert(vh_probe_names__has(&p.map_types, "hash"));
	ck_assert_uint_eq(p.prog_types_refused.n, 3);
	ck_assert(vh_probe_names__has(&p.prog_types_refused, "tracing"));
	ck_assert(!vh_probe_names__has(&p.prog_types, "tracing"));
	ck_assert_uint_eq(p.nhelpers, 2);
	ck_assert_str_eq(p.helpers[0].prog_type, "kprobe");
	ck_assert_str_eq(p.helpers[1].prog_type, "sched_cls");
	ck_assert_int_eq(p.helpers[0].ids[0], 1);
	back = document_of(&p, _i);
	for (n = 0; back[n] && back[n] == golden[n]; n++)
		;
	ck_assert_msg(!strcmp(back, golden), "%s written back differs at byte %zu: '%.40s'",
		      files[_i], n, back + n);
	free(back);
	free(golden);
	vh_probe__clear(&p);
}
END_TEST

/* A member that was missing stays missing; one bpfgate does not know is dropped. */
START_TEST(test_members_as_read)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ PROBE_OLD, PROBE_OLD },
		{ "{}", "{}" },
		{ "{\"kernel\":null,\"kvm\":null,\"helpers\":null}", "{}" },
		{ "{\"kvm\":true}", "{\"kvm\":true}" },
		{ "{\"future\":[1,{\"x\":2}],\"map_types\":[]}", "{\"map_types\":[]}" },
		{ "{\"helpers\":{}}", "{\"helpers\":{}}" },
		/* the writer's order, whatever the reader saw */
		{ "{\"map_types\":[\"hash\"],\"kernel\":\"k\"}",
		  "{\"kernel\":\"k\",\"map_types\":[\"hash\"]}" },
		/* strings are escaped like every string bpfgate writes */
		{ "{\"kernel\":\"a\\\"b\\u0001\"}", "{\"kernel\":\"a\\\"b\\u0001\"}" },
	};
	struct vh_probe p;
	char *t;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_ok(cases[i].in, &p);
		t = text_of(&p);
		ck_assert_msg(!strcmp(t, cases[i].out), "%s -> %s, not %s", cases[i].in, t,
			      cases[i].out);
		free(t);
		vh_probe__clear(&p);
	}
}
END_TEST

static const struct {
	const char *text, *msg;
} bad[] = {
	{ "[1]", "line 1: probe: expected an object, not array" },
	{ "{\"kernel\":5}", "line 1: probe.kernel: expected a release (a string), not number" },
	{ "{\"kernel\":\"a\\u0000b\"}", "probe.kernel: contains a NUL character" },
	{ "{\"kvm\":\"no\"}", "line 1: probe.kvm: expected true or false, not string" },
	{ "{\"prog_types\":{}}",
	  "line 1: probe.prog_types: expected an array of type names, not object" },
	{ "{\"kernel\":\"k\",\n\"prog_types\":[\"xdp\",\n7]}",
	  "line 3: probe.prog_types[1]: expected a type name (a string), not number" },
	{ "{\"prog_types_refused\":[null]}",
	  "probe.prog_types_refused[0]: expected a type name (a string), not null" },
	{ "{\"map_types\":\"hash\"}", "probe.map_types: expected an array of type names" },
	{ "{\"map_types\":[\"a\\u0000\"]}", "probe.map_types[0]: contains a NUL character" },
	{ "{\"helpers\":[]}", "probe.helpers: expected an object (program type -> helper ids)" },
	{ "{\"helpers\":{\"kprobe\":1}}",
	  "probe.helpers.kprobe: expected an array of helper ids, not number" },
	{ "{\"helpers\":{\"kprobe\":[1,\"2\"]}}",
	  "probe.helpers.kprobe[1]: expected a helper id, not string" },
	{ "{\"helpers\":{\"kprobe\":[1.5]}}",
	  "probe.helpers.kprobe[0]: expected a helper id (an integer from 0 to 2147483647)" },
	{ "{\"helpers\":{\"kprobe\":[-1]}}", "probe.helpers.kprobe[0]: expected a helper id (an" },
	{ "{\"helpers\":{\"kprobe\":[2147483648]}}", "probe.helpers.kprobe[0]: expected a helper" },
	{ "{\"helpers\":{\"a\\u0000b\":[]}}", "probe.helpers: a key contains a NUL character" },
	{ "{\"kernel\":\"k\"", "line 1:" },
	{ "", "line 1:" },
};

/* Each bad probe is refused with the member and the cause; nothing is left behind. */
START_TEST(test_bad)
{
	struct vh_probe p;
	char err[256] = "";

	ck_assert_int_eq(vh_probe__parse(bad[_i].text, strlen(bad[_i].text), &p, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, bad[_i].msg), "'%s' not in '%s'", bad[_i].msg, err);
	ck_assert_ptr_null(p.kernel);
	ck_assert_ptr_null(p.prog_types.v);
	ck_assert_ptr_null(p.helpers);
}
END_TEST

/* Errors inside a result file name the place in it. */
START_TEST(test_where)
{
	struct vh_json_value *doc = NULL;
	const char *text = "{\"prog_types\":[1]}";
	struct vh_probe p;
	char err[256];

	ck_assert_int_eq(vh_json__parse(text, strlen(text), NULL, &doc, err, sizeof(err)), 0);
	ck_assert_int_eq(vh_probe__from_json(doc, "kernels[3].probe", &p, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "line 1: kernels[3].probe.prog_types[0]: expected a type name (a "
			      "string), not number");
	vh_json_value__free(doc);
}
END_TEST

/* A file over 1 MiB is refused by its size, before it is parsed; one at the limit reads. */
START_TEST(test_size_limit)
{
	size_t n = VH_PROBE_MAX_SIZE + 1;
	char *big = malloc(n), err[256];
	struct vh_probe p;

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 2] = '}';
	vh_unit_write_file(vh_unit_path("big.json"), big, n);
	ck_assert_int_eq(vh_probe__read_file(vh_unit_path("big.json"), &p, err, sizeof(err)),
			 -EFBIG);
	ck_assert_str_eq(err, "larger than the limit of 1 MiB");
	ck_assert_int_eq(vh_probe__parse(big, n, &p, err, sizeof(err)), -EFBIG);
	vh_unit_write_file(vh_unit_path("limit.json"), big, n - 1);
	ck_assert_msg(!vh_probe__read_file(vh_unit_path("limit.json"), &p, err, sizeof(err)), "%s",
		      err);
	vh_probe__clear(&p);
	ck_assert_int_eq(vh_probe__read_file(vh_unit_path("missing.json"), &p, err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, strerror(ENOENT));
	free(big);
}
END_TEST

/* A copy is equal and independent; equality sees every member. */
START_TEST(test_dup_equal)
{
	struct vh_probe a, *b;

	parse_ok(PROBE_OLD, &a);
	b = vh_probe__dup(&a);
	ck_assert_ptr_nonnull(b);
	ck_assert(vh_probe__equal(&a, b));
	b->helpers[0].ids[2] = 4;
	ck_assert(!vh_probe__equal(&a, b));
	b->helpers[0].ids[2] = 3;
	b->prog_types_refused.present = true;
	ck_assert(!vh_probe__equal(&a, b));
	b->prog_types_refused.present = false;
	b->kvm = true;
	ck_assert(!vh_probe__equal(&a, b));
	ck_assert(!vh_probe__equal(&a, NULL));
	ck_assert(vh_probe__equal(NULL, NULL));
	ck_assert_ptr_null(vh_probe__dup(NULL));
	vh_probe__free(b);
	vh_probe__clear(&a);
	ck_assert_ptr_null(a.kernel);
	vh_probe__free(NULL);
}
END_TEST

/* The running kernel's probe has every member and reads back as itself. */
START_TEST(test_kernel_probe)
{
	struct vh_probe p, back;
	char *t;

	ck_assert_int_eq(vh_kernel_probe__run(&p), 0);
	ck_assert_ptr_nonnull(p.kernel);
	ck_assert(p.has_kvm && p.has_helpers && p.prog_types.present &&
		  p.prog_types_refused.present && p.map_types.present);
	t = text_of(&p);
	parse_ok(t, &back);
	ck_assert(vh_probe__equal(&p, &back));
	free(t);
	vh_probe__clear(&p);
	vh_probe__clear(&back);
}
END_TEST

static void setup(void)
{
	vh_unit_dir_make(vh_unit_tmpdir, sizeof(vh_unit_tmpdir), "probe");
}

static void teardown(void)
{
	vh_unit_dir_remove(vh_unit_tmpdir);
}

static Suite *suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("json");

	tcase_add_loop_test(tc, test_golden, 0, 2);
	tcase_add_test(tc, test_members_as_read);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_where);
	tcase_add_test(tc, test_dup_equal);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_kernel_probe);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vh_unit_run(suite());
}
