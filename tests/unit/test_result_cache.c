// SPDX-License-Identifier: BSD-2-Clause
/* test_result_cache.c: entry names from every input that decides results; entries
 * stored, found, ordered back into the run, and ignored when they do not match. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result_cache.h"
#include "unit_main.h"

static char dir[64];

static void setup(void)
{
	vh_unit_dir_make(dir, sizeof(dir), "rcache");
}

static void teardown(void)
{
	vh_unit_dir_remove(dir);
}

static const struct vh_result_cache_key base = {
	.object_hash = "0123", .object_path = "a.bpf.o", .kernel = "6.18 #1 btf:ab",
	.tool = "bpfgate 0.1.0 exe:cd libbpf v1.4", .prog_type = NULL, .filter = "x*",
	.btf_hash = NULL,
};

START_TEST(test_key_every_field)
{
	struct vh_result_cache_key k;
	char h0[65], h1[65];

	vh_result_cache__key(&base, h0);
	ck_assert_uint_eq(strlen(h0), 64);
	ck_assert_uint_eq(strspn(h0, "0123456789abcdef"), 64);
	vh_result_cache__key(&base, h1);
	ck_assert_str_eq(h0, h1);
	/* each field, changed alone, names another entry */
	for (int f = 0; f < 7; f++) {
		const char **p[] = { &k.object_hash, &k.object_path, &k.kernel, &k.tool,
				     &k.prog_type, &k.filter, &k.btf_hash };

		k = base;
		*p[f] = *p[f] ? "changed" : "set";
		vh_result_cache__key(&k, h1);
		ck_assert_msg(strcmp(h0, h1), "field %d is not part of the key", f);
	}
}
END_TEST

START_TEST(test_key_boundaries)
{
	struct vh_result_cache_key a = base, b = base;
	char ha[65], hb[65];

	/* text moved from one field to the next is another key */
	a.object_path = "ab";
	a.kernel = "c";
	b.object_path = "a";
	b.kernel = "bc";
	vh_result_cache__key(&a, ha);
	vh_result_cache__key(&b, hb);
	ck_assert_str_ne(ha, hb);
	/* no option and an empty one differ */
	a = b = base;
	a.prog_type = NULL;
	b.prog_type = "";
	vh_result_cache__key(&a, ha);
	vh_result_cache__key(&b, hb);
	ck_assert_str_ne(ha, hb);
}
END_TEST

static void add(struct vh_result_set *set, const char *obj, const char *prog,
		enum vh_verdict v)
{
	struct vh_result *r = vh_result_set__add(set);

	ck_assert_ptr_nonnull(r);
	r->object = strdup(obj);
	r->program = strdup(prog);
	r->kernel = strdup("6.18.0-test");
	r->verdict = v;
	r->stats.insns_processed = 42;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_store_find_merge)
{
	struct vh_verify_opts opts = { .kernel = "6.18.0-test" };
	struct vh_result_set cached = { 0 }, fresh = { 0 }, out = { 0 };
	struct vh_result_cache c;
	char a[128], b[128], e[128], cache_dir[128];
	char *objs[3] = { a, b, e };

	snprintf(a, sizeof(a), "%s/a.o", dir);
	snprintf(b, sizeof(b), "%s/b.o", dir);
	snprintf(e, sizeof(e), "%s/e.o", dir);
	snprintf(cache_dir, sizeof(cache_dir), "%s/cache", dir);
	write_file(a, "object a");
	write_file(b, "object b");
	write_file(e, "object e");
	setenv("BPFGATE_RESULT_CACHE", cache_dir, 1);

	/* first run: nothing found; the run's results are stored, except an error */
	ck_assert_int_eq(vh_result_cache__open(&c, &opts, NULL), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(vh_result_cache__lookup(&c, objs[i], &cached), 0);
	add(&fresh, a, "p1", VH_PASS);
	add(&fresh, a, "p2", VH_FAIL);
	add(&fresh, b, "q", VH_SKIP);
	add(&fresh, e, "crashed", VH_ERROR);
	ck_assert_int_eq(vh_result_cache__merge(&c, objs, 3, &cached, &fresh, &out, true), 0);
	ck_assert_uint_eq(out.n, 4);
	vh_result_cache__close(&c);
	vh_result_set__free(&fresh);
	vh_result_set__free(&out);

	/* second run: a and b found, e (an error) verified again; order kept */
	ck_assert_int_eq(vh_result_cache__open(&c, &opts, NULL), 0);
	ck_assert_int_eq(vh_result_cache__lookup(&c, a, &cached), 1);
	ck_assert_int_eq(vh_result_cache__lookup(&c, b, &cached), 1);
	ck_assert_int_eq(vh_result_cache__lookup(&c, e, &cached), 0);
	ck_assert_uint_eq(c.hits, 3);
	add(&fresh, e, "crashed", VH_PASS);
	ck_assert_int_eq(vh_result_cache__merge(&c, objs, 3, &cached, &fresh, &out, true), 0);
	ck_assert_uint_eq(out.n, 4);
	ck_assert_str_eq(out.v[0].program, "p1");
	ck_assert_int_eq(out.v[1].verdict, VH_FAIL);
	ck_assert_uint_eq(out.v[1].stats.insns_processed, 42);
	ck_assert_str_eq(out.v[2].program, "q");
	ck_assert_str_eq(out.v[3].object, e);
	vh_result_cache__close(&c);
	vh_result_set__free(&cached);
	vh_result_set__free(&fresh);
	vh_result_set__free(&out);

	/* a changed object, another kernel: not found */
	write_file(a, "object a, changed");
	ck_assert_int_eq(vh_result_cache__open(&c, &opts, NULL), 0);
	ck_assert_int_eq(vh_result_cache__lookup(&c, a, &cached), 0);
	vh_result_cache__close(&c);
	opts.kernel = "6.19.0-test";
	ck_assert_int_eq(vh_result_cache__open(&c, &opts, NULL), 0);
	ck_assert_int_eq(vh_result_cache__lookup(&c, b, &cached), 0);
	vh_result_cache__close(&c);
	/* a cache that was not opened (--no-cache) finds nothing */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(vh_result_cache__lookup(&c, b, &cached), 0);
	ck_assert_uint_eq(cached.n, 0);
	unsetenv("BPFGATE_RESULT_CACHE");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("result_cache");
	TCase *tc = tcase_create("result_cache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_key_every_field);
	tcase_add_test(tc, test_key_boundaries);
	tcase_add_test(tc, test_store_find_merge);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vh_unit_run(suite());
}
