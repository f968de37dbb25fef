// SPDX-License-Identifier: BSD-2-Clause
/* test_json_reader.c: the strict JSON parser: values, strictness, limits, error positions. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "unit_main.h"

static struct vh_json_value *parse_ok(const char *text)
{
	struct vh_json_value *v = NULL;
	char err[256];
	int ret = vh_json__parse(text, strlen(text), NULL, &v, err, sizeof(err));

	ck_assert_msg(ret == 0, "parse '%s': %d %s", text, ret, err);
	ck_assert_ptr_nonnull(v);
	return v;
}

START_TEST(test_values)
{
	struct vh_json_value *v = parse_ok(" {\"s\": \"x\", \"i\": -42, \"big\": 9223372036854775808,"
					   " \"f\": 1.5e3, \"t\": true, \"n\": null,"
					   " \"a\": [1, [], {}], \"zero\": -0} ");
	const struct vh_json_value *m;

	ck_assert_int_eq(v->type, VH_JSON_OBJECT);
	ck_assert_uint_eq(v->obj.n, 8);
	m = vh_json_value__get(v, "s");
	ck_assert_int_eq(m->type, VH_JSON_STRING);
	ck_assert_str_eq(m->str.s, "x");
	m = vh_json_value__get(v, "i");
	ck_assert(m->num.is_int);
	ck_assert_int_eq(m->num.i, -42);
	m = vh_json_value__get(v, "big"); /* one past INT64_MAX: a number, not an integer */
	ck_assert_int_eq(m->type, VH_JSON_NUMBER);
	ck_assert(!m->num.is_int);
	m = vh_json_value__get(v, "f");
	ck_assert(!m->num.is_int);
	ck_assert(m->num.d == 1500.0);
	m = vh_json_value__get(v, "t");
	ck_assert(m->type == VH_JSON_BOOL && m->boolean);
	ck_assert_int_eq(vh_json_value__get(v, "n")->type, VH_JSON_NULL);
	m = vh_json_value__get(v, "a");
	ck_assert_int_eq(m->type, VH_JSON_ARRAY);
	ck_assert_uint_eq(m->arr.n, 3);
	ck_assert_int_eq(m->arr.v[1].type, VH_JSON_ARRAY);
	ck_assert_int_eq(m->arr.v[2].type, VH_JSON_OBJECT);
	ck_assert(vh_json_value__get(v, "zero")->num.is_int);
	ck_assert_ptr_null(vh_json_value__get(v, "missing"));
	ck_assert_ptr_null(vh_json_value__get(m, "s")); /* not an object */
	vh_json_value__free(v);
}
END_TEST

START_TEST(test_string_escapes)
{
	struct vh_json_value *v = parse_ok("\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20ac"
					   "\\ud83d\\ude00\\u0000z\"");
	const char want[] = "a\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0z";

	ck_assert_uint_eq(v->str.len, sizeof(want) - 1);
	ck_assert_mem_eq(v->str.s, want, sizeof(want) - 1);
	ck_assert_int_eq(v->str.s[v->str.len], '\0');
	vh_json_value__free(v);

	/* raw UTF-8 passes as it is */
	v = parse_ok("\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
	ck_assert_str_eq(v->str.s, "caf\xc3\xa9 \xf0\x9f\x98\x80");
	vh_json_value__free(v);
}
END_TEST

/* Malformed input: the error, and where it is, in one line. */
static const struct bad {
	const char *text;
	int err;
	const char *msg;
} bad[] = {
	{ "", -EINVAL, "line 1:1: unexpected end of input, expected a value" },
	{ "   \n  ", -EINVAL, "line 2:3: unexpected end of input, expected a value" },
	{ "{\"a\" 1}", -EINVAL, "line 1:6: unexpected '1', expected ':' after an object key" },
	{ "{\n  \"a\": 1,\n}", -EINVAL, "line 3:1: unexpected '}', expected a string key" },
	{ "[1,]", -EINVAL, "line 1:4: unexpected ']', expected a value" },
	{ "[1 2]", -EINVAL, "line 1:4: unexpected '2', expected ',' or ']' in an array" },
	{ "{\"a\":1 \"b\":2}", -EINVAL, "line 1:8: unexpected '\"', expected ',' or '}' in an object" },
	{ "{a:1}", -EINVAL, "line 1:2: unexpected 'a', expected a string key" },
	{ "[01]", -EINVAL, "line 1:2: invalid number (leading zero)" },
	{ "[-]", -EINVAL, "line 1:2: invalid number (digit expected)" },
	{ "1.", -EINVAL, "line 1:1: invalid number (digit expected after '.')" },
	{ "1e", -EINVAL, "line 1:1: invalid number (digit expected in exponent)" },
	{ "+1", -EINVAL, "line 1:1: unexpected '+', expected a value" },
	{ "1e999", -EINVAL, "line 1:1: number out of range" },
	{ "NaN", -EINVAL, "line 1:1: unexpected 'N', expected a value" },
	{ "tru", -EINVAL, "line 1:1: unexpected 't', expected a value" },
	{ "[1] x", -EINVAL, "line 1:5: unexpected 'x', expected end of input after the value" },
	{ "{} {}", -EINVAL, "line 1:4: unexpected '{', expected end of input after the value" },
	{ "// c\n{}", -EINVAL, "line 1:1: unexpected '/', expected a value" },
	{ "\"a\tb\"", -EINVAL, "line 1:3: control character 0x09 in a string must be escaped" },
	{ "\"a\nb\"", -EINVAL, "line 1:3: control character 0x0a in a string must be escaped" },
	{ "\"abc", -EINVAL, "line 1:1: unterminated string" },
	{ "\"\\x\"", -EINVAL, "line 1:2: invalid escape in a string" },
	{ "\"\\u12G4\"", -EINVAL, "line 1:2: invalid \\u escape (4 hex digits expected)" },
	{ "\"\\u12\"", -EINVAL, "line 1:2: invalid \\u escape (4 hex digits expected)" },
	{ "\"\\ud800\"", -EINVAL, "line 1:2: lone high surrogate \\ud800" },
	{ "\"\\ud800\\u0041\"", -EINVAL, "line 1:2: lone high surrogate \\ud800" },
	{ "\"\\udc00\"", -EINVAL, "line 1:2: lone low surrogate \\udc00" },
	{ "\"\xff\"", -EINVAL, "line 1:2: invalid UTF-8 in a string" },
	{ "\"\xed\xa0\x80\"", -EINVAL, "line 1:2: invalid UTF-8 in a string" },
	{ "[\"\xc3\xa9\" x]", -EINVAL, "line 1:6: unexpected 'x', expected ',' or ']' in an array" },
	{ "\x01", -EINVAL, "line 1:1: unexpected byte 0x01, expected a value" },
	{ "\xef\xbb\xbf{}", -EINVAL, "line 1:1: unexpected byte 0xef, expected a value" },
	{ "{\"a\":1,\n\"b\":2,\n\"a\":3}", -EINVAL, "line 3: duplicate key 'a' in an object" },
	{ "[1e5, 12345678901234567890123456789012345678901234567890123456789012345678901234567890"
	  "12345678901234567890123456789012345678901234567890]",
	  -EINVAL, "line 1:7: number longer than 128 characters" },
};

START_TEST(test_malformed)
{
	const struct bad *b = &bad[_i];
	struct vh_json_value *v = (void *)1;
	char err[256];
	int ret = vh_json__parse(b->text, strlen(b->text), NULL, &v, err, sizeof(err));

	ck_assert_msg(ret == b->err, "'%s': returned %d, want %d (%s)", b->text, ret, b->err, err);
	ck_assert_msg(!strcmp(err, b->msg), "'%s': message '%s', want '%s'", b->text, err, b->msg);
	ck_assert_ptr_null(v);
}
END_TEST

static char *nested(int depth)
{
	char *s = malloc(2 * depth + 1);

	for (int i = 0; i < depth; i++) {
		s[i] = '[';
		s[depth + i] = ']';
	}
	s[2 * depth] = '\0';
	return s;
}

START_TEST(test_depth_limit)
{
	struct vh_json_limits lim = { .max_depth = 3 };
	struct vh_json_value *v;
	char err[256];
	char *s;

	s = nested(VH_JSON_DEFAULT_MAX_DEPTH);
	ck_assert_int_eq(vh_json__parse(s, strlen(s), NULL, &v, err, sizeof(err)), 0);
	vh_json_value__free(v);
	free(s);

	s = nested(VH_JSON_DEFAULT_MAX_DEPTH + 1);
	ck_assert_int_eq(vh_json__parse(s, strlen(s), NULL, &v, err, sizeof(err)), -E2BIG);
	ck_assert_str_eq(err, "line 1:65: nesting deeper than 64 levels");
	free(s);

	/* a deep document far beyond any stack is refused early, not crashed on */
	s = nested(1000000);
	ck_assert_int_eq(vh_json__parse(s, strlen(s), NULL, &v, err, sizeof(err)), -E2BIG);
	free(s);

	ck_assert_int_eq(vh_json__parse("[[[]]]", 6, &lim, &v, err, sizeof(err)), 0);
	vh_json_value__free(v);
	ck_assert_int_eq(vh_json__parse("[{\"a\":[[]]}]", 12, &lim, &v, err, sizeof(err)), -E2BIG);
}
END_TEST

START_TEST(test_size_limit)
{
	struct vh_json_limits lim = { .max_size = 10 };
	struct vh_json_value *v;
	char err[256];

	ck_assert_int_eq(vh_json__parse("[1,2,3,45]", 10, &lim, &v, err, sizeof(err)), 0);
	vh_json_value__free(v);
	ck_assert_int_eq(vh_json__parse("[1,2,3,456]", 11, &lim, &v, err, sizeof(err)), -E2BIG);
	ck_assert_str_eq(err, "input of 11 bytes is over the 10-byte limit");
}
END_TEST

/* The input need not be NUL-terminated: nothing past len is read. */
START_TEST(test_bounded_input)
{
	const char text[] = "[1,\"ab\"]garbage";
	struct vh_json_value *v;
	char *copy = malloc(8), err[256];

	memcpy(copy, text, 8); /* exactly the document, no NUL: ASan sees any overread */
	ck_assert_int_eq(vh_json__parse(copy, 8, NULL, &v, err, sizeof(err)), 0);
	ck_assert_str_eq(v->arr.v[1].str.s, "ab");
	vh_json_value__free(v);
	ck_assert_int_eq(vh_json__parse(copy, 5, NULL, &v, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "line 1:4: unterminated string");
	memcpy(copy, "\"\\ud83d", 7);
	ck_assert_int_eq(vh_json__parse(copy, 7, NULL, &v, err, sizeof(err)), -EINVAL);
	free(copy);
}
END_TEST

/* Many keys: duplicates are found among thousands, and distinct ones pass. */
START_TEST(test_many_keys)
{
	size_t n = 5000, cap = n * 16 + 16, off = 0;
	char *s = malloc(cap), err[256];
	struct vh_json_value *v;

	off += snprintf(s + off, cap - off, "{");
	for (size_t i = 0; i < n; i++)
		off += snprintf(s + off, cap - off, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	snprintf(s + off, cap - off, "}");
	ck_assert_int_eq(vh_json__parse(s, strlen(s), NULL, &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v->obj.n, n);
	ck_assert_int_eq(vh_json_value__get(v, "k4321")->num.i, 4321);
	vh_json_value__free(v);
	/* turn the last key into a copy of an early one */
	memcpy(strstr(s, "\"k4999\""), "\"k1234\"", 7);
	ck_assert_int_eq(vh_json__parse(s, strlen(s), NULL, &v, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "line 1: duplicate key 'k1234' in an object");
	free(s);
}
END_TEST

START_TEST(test_type_names)
{
	ck_assert_str_eq(vh_json_type__name(VH_JSON_OBJECT), "object");
	ck_assert_str_eq(vh_json_type__name(VH_JSON_NUMBER), "number");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json_reader");
	TCase *ok = tcase_create("valid"), *bad_tc = tcase_create("malformed");
	TCase *lim = tcase_create("limits");

	tcase_add_test(ok, test_values);
	tcase_add_test(ok, test_string_escapes);
	tcase_add_test(ok, test_type_names);
	tcase_add_loop_test(bad_tc, test_malformed, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(lim, test_depth_limit);
	tcase_add_test(lim, test_size_limit);
	tcase_add_test(lim, test_bounded_input);
	tcase_add_test(lim, test_many_keys);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad_tc);
	suite_add_tcase(s, lim);
	return vh_unit_run(s);
}
