// SPDX-License-Identifier: BSD-2-Clause
/* test_json_writer.c: the streaming JSON writer: layout, escaping, misuse, I/O errors. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "json_writer.h"
#include "unit_main.h"

struct out {
	char *buf;
	size_t len;
	FILE *f;
	struct vh_json_writer w;
};

static void out_open(struct out *o, bool pretty)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	ck_assert_msg(o->f, "open_memstream");
	vh_json_writer__init(&o->w, o->f, pretty);
}

/* finish, close, return the error of finish */
static int out_close(struct out *o)
{
	int err = vh_json_writer__finish(&o->w);

	fclose(o->f);
	return err;
}

/* A string value alone, written compactly; the caller frees. */
static char *string_json(const char *s, size_t len)
{
	struct out o;

	out_open(&o, false);
	vh_json_writer__string_len(&o.w, s, len);
	ck_assert_int_eq(out_close(&o), 0);
	return o.buf;
}

START_TEST(test_compact_nesting)
{
	struct out o;

	out_open(&o, false);
	vh_json_writer__begin_object(&o.w);
	vh_json_writer__kv_int(&o.w, "a", 1);
	vh_json_writer__key(&o.w, "b");
	vh_json_writer__begin_array(&o.w);
	vh_json_writer__bool(&o.w, true);
	vh_json_writer__bool(&o.w, false);
	vh_json_writer__null(&o.w);
	vh_json_writer__string(&o.w, NULL);
	vh_json_writer__end_array(&o.w);
	vh_json_writer__key(&o.w, "c");
	vh_json_writer__begin_object(&o.w);
	vh_json_writer__end_object(&o.w);
	vh_json_writer__key(&o.w, "d");
	vh_json_writer__begin_array(&o.w);
	vh_json_writer__end_array(&o.w);
	vh_json_writer__kv_string(&o.w, "e", "x");
	vh_json_writer__end_object(&o.w);
	ck_assert_int_eq(out_close(&o), 0);
	ck_assert_str_eq(o.buf, "{\"a\":1,\"b\":[true,false,null,null],\"c\":{},\"d\":[],\"e\":\"x\"}\n");
	free(o.buf);
}
END_TEST

START_TEST(test_pretty)
{
	struct out o;

	out_open(&o, true);
	vh_json_writer__begin_object(&o.w);
	vh_json_writer__kv_int(&o.w, "a", -7);
	vh_json_writer__key(&o.w, "b");
	vh_json_writer__begin_array(&o.w);
	vh_json_writer__int(&o.w, 1);
	vh_json_writer__begin_object(&o.w);
	vh_json_writer__end_object(&o.w);
	vh_json_writer__end_array(&o.w);
	vh_json_writer__end_object(&o.w);
	ck_assert_int_eq(out_close(&o), 0);
	ck_assert_str_eq(o.buf, "{\n  \"a\": -7,\n  \"b\": [\n    1,\n    {}\n  ]\n}\n");
	free(o.buf);
}
END_TEST

START_TEST(test_numbers)
{
	struct out o;

	out_open(&o, false);
	vh_json_writer__begin_array(&o.w);
	vh_json_writer__int(&o.w, LLONG_MIN);
	vh_json_writer__int(&o.w, LLONG_MAX);
	vh_json_writer__double(&o.w, 12.5);
	vh_json_writer__double(&o.w, 33.33);
	vh_json_writer__double(&o.w, NAN);
	vh_json_writer__double(&o.w, -INFINITY);
	vh_json_writer__end_array(&o.w);
	ck_assert_int_eq(out_close(&o), 0);
	ck_assert_str_eq(o.buf, "[-9223372036854775808,9223372036854775807,12.5,33.33,null,null]\n");
	free(o.buf);
}
END_TEST

START_TEST(test_escapes)
{
	const char in[] = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f end";
	char *s = string_json(in, sizeof(in) - 1);

	ck_assert_str_eq(s, "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f end\"\n");
	free(s);
}
END_TEST

START_TEST(test_utf8_kept)
{
	const char in[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf";
	char *s = string_json(in, sizeof(in) - 1);
	char want[64];

	snprintf(want, sizeof(want), "\"%s\"\n", in);
	ck_assert_str_eq(s, want);
	free(s);
}
END_TEST

/* Each byte that is not part of valid UTF-8 becomes one U+FFFD. */
START_TEST(test_invalid_utf8_replaced)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "a\xff" "b", "\"a\\ufffdb\"\n" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"\n" },         /* overlong '/' */
		{ "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"\n" }, /* overlong, 3 bytes */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"\n" }, /* surrogate D800 */
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n" }, /* > U+10FFFF */
		{ "x\xe2\x82", "\"x\\ufffd\\ufffd\"\n" },        /* cut short at the end */
		{ "\x80", "\"\\ufffd\"\n" },                     /* lone continuation */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = string_json(cases[i].in, strlen(cases[i].in));

		ck_assert_msg(!strcmp(s, cases[i].want), "case %zu: got %s", i, s);
		free(s);
	}
}
END_TEST

START_TEST(test_embedded_nul)
{
	char *s = string_json("a\0b", 3);

	ck_assert_str_eq(s, "\"a\\u0000b\"\n");
	free(s);
}
END_TEST

/* Whatever bytes go in, the reader accepts what comes out, and valid UTF-8
 * text comes back exactly. */
START_TEST(test_output_parses_back)
{
	char in[512];
	struct vh_json_value *v;
	char err[128];
	char *s;

	for (int i = 0; i < 256; i++)
		in[i] = (char)i;
	for (int i = 0; i < 256; i++)
		in[256 + i] = (char)(255 - i);
	s = string_json(in, sizeof(in));
	ck_assert_msg(!vh_json__parse(s, strlen(s), NULL, &v, err, sizeof(err)), "parse: %s", err);
	ck_assert_int_eq(v->type, VH_JSON_STRING);
	/* the first 128 bytes are ASCII and survive as they are */
	ck_assert_mem_eq(v->str.s, in, 128);
	vh_json_value__free(v);
	free(s);

	s = string_json("\"\\\n\t\x01 caf\xc3\xa9 \xf0\x9f\x98\x80", 16);
	ck_assert_msg(!vh_json__parse(s, strlen(s), NULL, &v, err, sizeof(err)), "parse: %s", err);
	ck_assert_uint_eq(v->str.len, 16);
	ck_assert_mem_eq(v->str.s, "\"\\\n\t\x01 caf\xc3\xa9 \xf0\x9f\x98\x80", 16);
	vh_json_value__free(v);
	free(s);
}
END_TEST

START_TEST(test_misuse)
{
	struct out o;

	/* a value where a key is due */
	out_open(&o, false);
	vh_json_writer__begin_object(&o.w);
	vh_json_writer__int(&o.w, 1);
	vh_json_writer__end_object(&o.w);
	ck_assert_int_eq(out_close(&o), -EINVAL);
	free(o.buf);

	/* a key inside an array */
	out_open(&o, false);
	vh_json_writer__begin_array(&o.w);
	vh_json_writer__key(&o.w, "k");
	vh_json_writer__end_array(&o.w);
	ck_assert_int_eq(out_close(&o), -EINVAL);
	free(o.buf);

	/* mismatched end */
	out_open(&o, false);
	vh_json_writer__begin_array(&o.w);
	vh_json_writer__end_object(&o.w);
	ck_assert_int_eq(out_close(&o), -EINVAL);
	free(o.buf);

	/* unfinished document */
	out_open(&o, false);
	vh_json_writer__begin_object(&o.w);
	vh_json_writer__key(&o.w, "k");
	ck_assert_int_eq(out_close(&o), -EINVAL);
	free(o.buf);

	/* two top-level values */
	out_open(&o, false);
	vh_json_writer__int(&o.w, 1);
	vh_json_writer__int(&o.w, 2);
	ck_assert_int_eq(out_close(&o), -EINVAL);
	free(o.buf);

	/* nothing at all */
	out_open(&o, false);
	ck_assert_int_eq(out_close(&o), -EINVAL);
	free(o.buf);

	/* nesting past the writer's depth */
	out_open(&o, false);
	for (int i = 0; i <= VH_JSON_WRITER_MAX_DEPTH; i++)
		vh_json_writer__begin_array(&o.w);
	ck_assert_int_eq(out_close(&o), -EINVAL);
	free(o.buf);
}
END_TEST

START_TEST(test_write_error)
{
	struct vh_json_writer w;
	FILE *f = fopen("/dev/full", "w");

	ck_assert_msg(f, "open /dev/full");
	vh_json_writer__init(&w, f, false);
	vh_json_writer__begin_array(&w);
	for (int i = 0; i < 10000; i++)
		vh_json_writer__string(&w, "filling the buffer past its size");
	vh_json_writer__end_array(&w);
	ck_assert_int_eq(vh_json_writer__finish(&w), -EIO);
	fclose(f);
}
END_TEST

START_TEST(test_utf8_seq_len)
{
	ck_assert_uint_eq(vh_utf8__seq_len((const unsigned char *)"A", 1), 1);
	ck_assert_uint_eq(vh_utf8__seq_len((const unsigned char *)"\xc3\xa9", 2), 2);
	ck_assert_uint_eq(vh_utf8__seq_len((const unsigned char *)"\xc3\xa9", 1), 0);
	ck_assert_uint_eq(vh_utf8__seq_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
	ck_assert_uint_eq(vh_utf8__seq_len((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
	ck_assert_uint_eq(vh_utf8__seq_len((const unsigned char *)"\xf4\x8f\xbf\xbf", 4), 4);
	ck_assert_uint_eq(vh_utf8__seq_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 0);
	ck_assert_uint_eq(vh_utf8__seq_len((const unsigned char *)"\xed\x9f\xbf", 3), 3);
	ck_assert_uint_eq(vh_utf8__seq_len((const unsigned char *)"\xed\xa0\x80", 3), 0);
	ck_assert_uint_eq(vh_utf8__seq_len((const unsigned char *)"\xc1\xbf", 2), 0);
	ck_assert_uint_eq(vh_utf8__seq_len((const unsigned char *)"\xf0\x8f\xbf\xbf", 4), 0);
	ck_assert_uint_eq(vh_utf8__seq_len((const unsigned char *)"\xc3(", 2), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json_writer");
	TCase *layout = tcase_create("layout"), *esc = tcase_create("escaping");
	TCase *errs = tcase_create("errors");

	tcase_add_test(layout, test_compact_nesting);
	tcase_add_test(layout, test_pretty);
	tcase_add_test(layout, test_numbers);
	tcase_add_test(esc, test_escapes);
	tcase_add_test(esc, test_utf8_kept);
	tcase_add_test(esc, test_invalid_utf8_replaced);
	tcase_add_test(esc, test_embedded_nul);
	tcase_add_test(esc, test_output_parses_back);
	tcase_add_test(esc, test_utf8_seq_len);
	tcase_add_test(errs, test_misuse);
	tcase_add_test(errs, test_write_error);
	suite_add_tcase(s, layout);
	suite_add_tcase(s, esc);
	suite_add_tcase(s, errs);
	return vh_unit_run(s);
}
