// SPDX-License-Identifier: BSD-2-Clause
/*
 * project_config.c: the parser of bpfgate.conf (format in project_config.h and
 * docs/adopting.md). The file is untrusted input (it may come from any
 * repository): sizes are bounded, every value is checked against its key's type,
 * and no path leaves the file's folder.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_util.h"
#include "project_config.h"
#include "strfmt.h"

/* Characters that would make a shell run something else than the compiler. */
#define SHELL_CHARS "`$;&|<>()\\"

enum sect { S_PROJECT, S_GATE, S_BUILD, S_PROGRAM, S_TEST, S_NONE };
static const char *const sect_names[] = { "project", "gate", "build", "program", "test" };

enum kind {
	K_NAME,	   /* one word of [A-Za-z0-9._+-] */
	K_FLAGS,   /* compiler flags: printable text */
	K_PATH,	   /* a relative path inside the root */
	K_PATHS,   /* space-separated K_PATH */
	K_WORDS,   /* space-separated words without quotes */
	K_PERCENT, /* 0..max, optional '%' */
	K_BOOL,	   /* true/false/yes/no/1/0 */
	K_EXPECT,  /* pass|fail|skip */
	K_MISSING, /* error|warn */
	K_SECONDS, /* 1..max */
};

/* Every key, once: its section, type and range, and where its value goes. */
static const struct keydef {
	enum sect sect;
	const char *key;
	enum kind kind;
	double max;
	size_t off; /* in vh_project_config, vh_pconf_program or vh_pconf_test */
} keys[] = {
#define C(f) offsetof(struct vh_project_config, f)
#define P(f) offsetof(struct vh_pconf_program, f)
#define T(f) offsetof(struct vh_pconf_test, f)
	{ S_PROJECT, "name", K_NAME, 0, C(name) },
	{ S_PROJECT, "programs", K_PATH, 0, C(programs) },
	{ S_PROJECT, "baseline", K_PATH, 0, C(baseline) },
	{ S_PROJECT, "kernels", K_WORDS, 32, C(kernels) },
	{ S_PROJECT, "kernels_conf", K_PATH, 0, C(kernels_conf) },
	{ S_GATE, "max_growth", K_PERCENT, 1000, C(max_growth) },
	{ S_GATE, "max_share", K_PERCENT, 100, C(max_share) },
	{ S_GATE, "baseline_missing", K_MISSING, 0, C(baseline_missing) },
	{ S_GATE, "allow_removed", K_BOOL, 0, C(allow_removed) },
	{ S_BUILD, "cflags", K_FLAGS, 0, C(cflags) },
	{ S_BUILD, "includes", K_PATHS, 16, C(includes) },
	{ S_BUILD, "clang", K_NAME, 0, C(clang) },
	{ S_PROGRAM, "expect", K_EXPECT, 0, P(expect) },
	{ S_PROGRAM, "exclude", K_BOOL, 0, P(exclude) },
	{ S_PROGRAM, "cflags", K_FLAGS, 0, P(cflags) },
	{ S_PROGRAM, "type", K_NAME, 0, P(type) },
	{ S_TEST, "exe", K_PATH, 0, T(exe) },
	{ S_TEST, "timeout", K_SECONDS, 86400, T(timeout) },
#undef C
#undef P
#undef T
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct parser {
	struct vh_project_config *conf;
	const char *path;
	int line;
	char *errbuf;
	size_t errlen;
	enum sect sect;
	void *obj;		 /* the struct keys of this section write into */
	int seen[NKEYS];	 /* line a key was set at in the current section, or 0 */
	int sect_line[S_NONE];	 /* line of [project], [gate], [build], or 0 */
};

static int fail(struct parser *p, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct parser *p, const char *key, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (p->line)
		snprintf(p->errbuf, p->errlen, "%s:%d: %s%s%s", p->path, p->line, key ?: "",
			 key ? ": " : "", why);
	else
		snprintf(p->errbuf, p->errlen, "%s: %s", p->path, why);
	return -EINVAL;
}

static int oom(struct parser *p)
{
	fail(p, NULL, "out of memory");
	return -ENOMEM;
}

static bool is_name_char(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-' || c == '+';
}

/* Normalize relative path REL and join it to the root; NULL on error (said in p). */
static char *resolve_path(struct parser *p, const char *key, const char *rel)
{
	const char *root = p->conf->root;
	char *norm = malloc(strlen(rel) + 2), *out = norm, *res;
	const char *s = rel;
	int depth = 0;

	if (!norm)
		return oom(p), NULL;
	if (rel[0] == '/') {
		free(norm);
		fail(p, key, "'%s' is absolute (paths are relative to the folder of %s)", rel,
		     p->path);
		return NULL;
	}
	while (*s) {
		size_t n = strcspn(s, "/");

		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* empty or "." component */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (--depth < 0) {
				free(norm);
				fail(p, key, "'%s' leaves the folder of %s", rel, p->path);
				return NULL;
			}
			out--; /* drop the last component and its '/' */
			while (out > norm && out[-1] != '/')
				out--;
			if (out > norm)
				out--;
		} else {
			if (out > norm)
				*out++ = '/';
			memcpy(out, s, n);
			out += n;
			depth++;
		}
		s += n;
		if (*s == '/')
			s++;
	}
	*out = '\0';
	if (!norm[0])
		res = strdup(root);
	else if (!strcmp(root, "."))
		res = strdup(norm);
	else
		res = vh_strfmt("%s/%s", root, norm);
	free(norm);
	if (!res)
		oom(p);
	return res;
}

/* Space-separated words: each checked (paths resolved), joined by one space. */
static char *parse_words(struct parser *p, const struct keydef *k, const char *val)
{
	char *copy = strdup(val), *save = NULL, *out = NULL, *tok;
	size_t n = 0;

	if (!copy)
		return oom(p), NULL;
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *w = tok, *joined;

		if (++n > (size_t)k->max) {
			fail(p, k->key, "more than %.0f entries", k->max);
			goto err;
		}
		if (strpbrk(tok, "\"'" SHELL_CHARS)) {
			fail(p, k->key, "'%s': quotes and the characters %s are not allowed in a word",
			     tok, SHELL_CHARS);
			goto err;
		}
		if (k->kind == K_PATHS) {
			w = resolve_path(p, k->key, tok);
			if (!w)
				goto err;
		}
		joined = out ? vh_strfmt("%s %s", out, w) : strdup(w);
		if (w != tok)
			free(w);
		free(out);
		out = joined;
		if (!out) {
			oom(p);
			goto err;
		}
	}
	free(copy);
	return out;
err:
	free(copy);
	free(out);
	return NULL;
}

static int parse_bool(const char *v)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
		return 1;
	if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
		return 0;
	return -1;
}

/* Store VAL into the field of K in p->obj. */
static int set_value(struct parser *p, const struct keydef *k, const char *val)
{
	char *field = (char *)p->obj + k->off, *end, *s = NULL;
	double num;
	int b;

	switch (k->kind) {
	case K_NAME:
		for (const char *c = val; *c; c++)
			if (!is_name_char((unsigned char)*c))
				return fail(p, k->key, "'%s': only letters, digits and . _ + - allowed",
					    val);
		s = strdup(val);
		break;
	case K_FLAGS:
		/* flags reach a shell in make's recipes: nothing that runs a command */
		if (strpbrk(val, SHELL_CHARS))
			return fail(p, k->key, "'%s': the characters %s are not allowed in flags",
				    val, SHELL_CHARS);
		s = strdup(val);
		break;
	case K_PATH:
		if (strpbrk(val, " \t\"'" SHELL_CHARS))
			return fail(p, k->key, "'%s': blanks, quotes and the characters %s are not "
				    "allowed in a path", val, SHELL_CHARS);
		s = resolve_path(p, k->key, val);
		if (!s)
			return -EINVAL;
		break;
	case K_PATHS:
	case K_WORDS:
		s = parse_words(p, k, val);
		if (!s)
			return -EINVAL;
		break;
	case K_PERCENT:
	case K_SECONDS:
		errno = 0;
		num = strtod(val, &end);
		if (k->kind == K_PERCENT && *end == '%')
			end++;
		if (errno || end == val || *end || !isdigit((unsigned char)val[0]) ||
		    num > k->max || (k->kind == K_SECONDS && (num < 1 || num != (int)num)))
			return fail(p, k->key, "'%s' is not %s from %d to %.0f%s", val,
				    k->kind == K_PERCENT ? "a percentage" : "a whole number of seconds",
				    k->kind == K_PERCENT ? 0 : 1, k->max,
				    k->kind == K_PERCENT ? "%" : "");
		if (k->kind == K_SECONDS) {
			*(int *)field = (int)num;
		} else {
			*(double *)field = num;
			if (k->off == offsetof(struct vh_project_config, max_growth))
				p->conf->has_max_growth = true;
			else
				p->conf->has_max_share = true;
		}
		return 0;
	case K_BOOL:
		b = parse_bool(val);
		if (b < 0)
			return fail(p, k->key, "'%s' is not true or false", val);
		*(int *)field = b;
		return 0;
	case K_EXPECT:
		if (!strcmp(val, "pass"))
			*(enum vh_pconf_expect *)field = VH_PCONF_EXPECT_PASS;
		else if (!strcmp(val, "fail"))
			*(enum vh_pconf_expect *)field = VH_PCONF_EXPECT_FAIL;
		else if (!strcmp(val, "skip"))
			*(enum vh_pconf_expect *)field = VH_PCONF_EXPECT_SKIP;
		else
			return fail(p, k->key, "'%s' is not pass, fail or skip", val);
		return 0;
	case K_MISSING:
		if (!strcmp(val, "error"))
			*(enum vh_pconf_missing *)field = VH_PCONF_MISSING_ERROR;
		else if (!strcmp(val, "warn"))
			*(enum vh_pconf_missing *)field = VH_PCONF_MISSING_WARN;
		else
			return fail(p, k->key, "'%s' is not error or warn", val);
		return 0;
	}
	if (!s)
		return oom(p);
	*(char **)field = s;
	return 0;
}

/* A quoted string at S (after the opening quote): unescape \" and \\ into OUT
 * (as large as S); *END after the closing quote. */
static int unquote(struct parser *p, const char *key, const char *s, char *out,
		   const char **end)
{
	for (; *s && *s != '"'; s++) {
		if (*s == '\\') {
			s++;
			if (*s != '"' && *s != '\\')
				return fail(p, key, "only \\\" and \\\\ are escapes in a quoted value");
		}
		*out++ = *s;
	}
	*out = '\0';
	if (*s != '"')
		return fail(p, key, "missing closing quote");
	*end = s + 1;
	return 0;
}

static bool rest_is_blank(const char *s)
{
	s += strspn(s, " \t");
	return !*s || *s == '#' || *s == ';';
}

static int section_header(struct parser *p, char *s)
{
	char name[16], sub[VH_PCONF_MAX_NAME + 1];
	struct vh_project_config *c = p->conf;
	size_t n;
	int i;

	s++;
	s += strspn(s, " \t");
	n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
	if (n == 0 || n >= sizeof(name))
		return fail(p, NULL, "a section name is one of project, gate, build, program, test");
	memcpy(name, s, n);
	name[n] = '\0';
	s += n;
	for (i = 0; i < S_NONE; i++)
		if (!strcmp(name, sect_names[i]))
			break;
	if (i == S_NONE)
		return fail(p, name, "unknown section (one of project, gate, build, program, test)");
	s += strspn(s, " \t");
	sub[0] = '\0';
	if (*s == '"') {
		char tmp[VH_PCONF_MAX_LINE];
		const char *end;

		if (unquote(p, name, s + 1, tmp, &end))
			return -EINVAL;
		if (strlen(tmp) > VH_PCONF_MAX_NAME || !tmp[0])
			return fail(p, name, "the name in quotes must have 1 to %d characters",
				    VH_PCONF_MAX_NAME);
		strcpy(sub, tmp);
		s = (char *)end + strspn(end, " \t");
	}
	if (*s != ']' || !rest_is_blank(s + 1))
		return fail(p, name, "expected ']' to end the section header");
	memset(p->seen, 0, sizeof(p->seen));
	p->sect = i;
	if (i == S_PROGRAM || i == S_TEST) {
		bool prog = i == S_PROGRAM;
		size_t cnt = prog ? c->nprogs : c->ntests;
		size_t max = prog ? VH_PCONF_MAX_PROGRAMS : VH_PCONF_MAX_TESTS;
		void *v;

		if (!sub[0])
			return fail(p, name, "needs a name: [%s \"%s\"]", name,
				    prog ? "GLOB" : "NAME");
		for (size_t j = 0; j < cnt; j++) {
			const char *other = prog ? c->progs[j].glob : c->tests[j].name;
			int line = prog ? c->progs[j].line : c->tests[j].line;

			if (!strcmp(other, sub))
				return fail(p, name, "[%s \"%s\"] given twice (first at line %d)",
					    name, sub, line);
		}
		if (cnt >= max)
			return fail(p, name, "more than %zu [%s] sections", max, name);
		if (prog) {
			v = realloc(c->progs, (cnt + 1) * sizeof(*c->progs));
			if (!v)
				return oom(p);
			c->progs = v;
			memset(&c->progs[cnt], 0, sizeof(*c->progs));
			c->progs[cnt].exclude = -1;
			c->progs[cnt].line = p->line;
			c->progs[cnt].glob = strdup(sub);
			p->obj = &c->progs[c->nprogs++];
			if (!c->progs[cnt].glob)
				return oom(p);
		} else {
			v = realloc(c->tests, (cnt + 1) * sizeof(*c->tests));
			if (!v)
				return oom(p);
			c->tests = v;
			memset(&c->tests[cnt], 0, sizeof(*c->tests));
			c->tests[cnt].line = p->line;
			c->tests[cnt].name = strdup(sub);
			p->obj = &c->tests[c->ntests++];
			if (!c->tests[cnt].name)
				return oom(p);
		}
		return 0;
	}
	if (sub[0])
		return fail(p, name, "[%s] takes no name", name);
	if (p->sect_line[i])
		return fail(p, name, "[%s] given twice (first at line %d)", name, p->sect_line[i]);
	p->sect_line[i] = p->line;
	p->obj = c;
	return 0;
}

static int key_value(struct parser *p, char *s)
{
	char key[32], *val;
	const char *end;
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
	size_t i;

	if (n == 0 || n >= sizeof(key))
		return fail(p, NULL, "expected 'key = value', a [section] or a comment");
	memcpy(key, s, n);
	key[n] = '\0';
	s += n;
	s += strspn(s, " \t");
	if (*s != '=')
		return fail(p, key, "expected '=' after the key");
	if (p->sect == S_NONE)
		return fail(p, key, "outside any section (start with [project])");
	for (i = 0; i < NKEYS; i++)
		if (keys[i].sect == p->sect && !strcmp(keys[i].key, key))
			break;
	if (i == NKEYS)
		return fail(p, key, "unknown key in [%s]", sect_names[p->sect]);
	if (p->seen[i])
		return fail(p, key, "given twice in this section (first at line %d)", p->seen[i]);
	p->seen[i] = p->line;
	s++;
	s += strspn(s, " \t");
	val = s;
	if (*s == '"') {
		if (unquote(p, key, s + 1, val, &end))
			return -EINVAL;
		if (!rest_is_blank(end))
			return fail(p, key, "text after the closing quote");
	} else {
		char *t = s + strcspn(s, "#;");

		while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		*t = '\0';
	}
	if (!val[0] || !val[strspn(val, " \t")])
		return fail(p, key, "empty value (remove the line to leave it unset)");
	return set_value(p, &keys[i], val);
}

static int parse_line(struct parser *p, char *s)
{
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return fail(p, NULL, "control character 0x%02x", (unsigned char)*c);
		else if (*c == 0x7f)
			return fail(p, NULL, "control character 0x7f");
	s += strspn(s, " \t");
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return section_header(p, s);
	return key_value(p, s);
}

int vh_project_config__parse(struct vh_project_config *conf, const char *text, size_t len,
			     const char *path, const char *root, char *errbuf, size_t errlen)
{
	struct parser p = { .conf = conf, .path = path, .errbuf = errbuf, .errlen = errlen,
			    .sect = S_NONE };
	char line[VH_PCONF_MAX_LINE + 1];
	size_t pos = 0;
	int err = 0;

	memset(conf, 0, sizeof(*conf));
	conf->allow_removed = -1;
	conf->path = strdup(path);
	conf->root = strdup(root && *root ? root : ".");
	if (!conf->path || !conf->root) {
		err = oom(&p);
		goto out;
	}
	if (len > VH_PCONF_MAX_BYTES) {
		err = fail(&p, NULL, "larger than %d bytes", VH_PCONF_MAX_BYTES);
		goto out;
	}
	while (pos < len && !err) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = (nl ? (size_t)(nl - text) : len) - pos;

		p.line++;
		if (n > VH_PCONF_MAX_LINE) {
			err = fail(&p, NULL, "longer than %d bytes", VH_PCONF_MAX_LINE);
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (memchr(line, '\0', n)) {
			err = fail(&p, NULL, "NUL byte");
			break;
		}
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		err = parse_line(&p, line);
		pos += n + 1;
	}
out:
	if (err)
		vh_project_config__free(conf);
	return err;
}

int vh_project_config__load(struct vh_project_config *conf, const char *path, char *errbuf,
			    size_t errlen)
{
	char *buf = NULL, *root = NULL, *slash;
	struct stat st;
	size_t n = 0;
	int fd, err;

	memset(conf, 0, sizeof(*conf));
	conf->allow_removed = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return err;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(errbuf, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	err = vh_read_fd(fd, VH_PCONF_MAX_BYTES, &buf, &n);
	if (err == -EFBIG) {
		snprintf(errbuf, errlen, "%s: larger than %d bytes", path, VH_PCONF_MAX_BYTES);
		err = -EINVAL;
		goto out;
	}
	if (err) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(-err));
		goto out;
	}
	root = strdup(path);
	if (!root) {
		err = -ENOMEM;
		snprintf(errbuf, errlen, "%s: out of memory", path);
		goto out;
	}
	slash = strrchr(root, '/');
	if (!slash)
		strcpy(root, ".");
	else if (slash == root)
		root[1] = '\0';
	else
		*slash = '\0';
	err = vh_project_config__parse(conf, buf, n, path, root, errbuf, errlen);
out:
	free(buf);
	free(root);
	close(fd);
	return err;
}

void vh_project_config__free(struct vh_project_config *conf)
{
	for (size_t i = 0; i < conf->nprogs; i++) {
		free(conf->progs[i].glob);
		free(conf->progs[i].cflags);
		free(conf->progs[i].type);
	}
	for (size_t i = 0; i < conf->ntests; i++) {
		free(conf->tests[i].name);
		free(conf->tests[i].exe);
	}
	free(conf->progs);
	free(conf->tests);
	free(conf->path);
	free(conf->root);
	free(conf->name);
	free(conf->programs);
	free(conf->baseline);
	free(conf->kernels);
	free(conf->kernels_conf);
	free(conf->cflags);
	free(conf->includes);
	free(conf->clang);
	memset(conf, 0, sizeof(*conf));
	conf->allow_removed = -1;
}

int vh_project_config__match(const struct vh_project_config *conf, const char *object,
			     const char *func, struct vh_pconf_match *m)
{
	char full[2 * VH_PCONF_MAX_LINE];

	memset(m, 0, sizeof(*m));
	m->exclude = -1;
	snprintf(full, sizeof(full), "%s:%s", object, func ?: "");
	for (size_t i = 0; i < conf->nprogs; i++) {
		const struct vh_pconf_program *pr = &conf->progs[i];
		bool whole = !strchr(pr->glob, ':');

		if (whole ? fnmatch(pr->glob, object, 0) : !func || fnmatch(pr->glob, full, 0))
			continue;
		if (pr->expect)
			m->expect = pr->expect;
		if (pr->exclude >= 0)
			m->exclude = pr->exclude;
		if (pr->type)
			m->type = pr->type;
		if (pr->cflags) {
			char *j = m->cflags ? vh_strfmt("%s %s", m->cflags, pr->cflags)
					    : strdup(pr->cflags);

			free(m->cflags);
			m->cflags = j;
			if (!j)
				return -ENOMEM;
		}
	}
	return 0;
}

int vh_project_config__get(const struct vh_project_config *conf, const char *key, char **out)
{
	const char *dot = strchr(key, '.');
	const char *field;
	const struct keydef *k = NULL;

	*out = NULL;
	for (size_t i = 0; dot && i < NKEYS; i++)
		if (keys[i].sect < S_PROGRAM && !strncmp(key, sect_names[keys[i].sect], dot - key) &&
		    !sect_names[keys[i].sect][dot - key] && !strcmp(dot + 1, keys[i].key))
			k = &keys[i];
	if (!k)
		return -EINVAL;
	field = (const char *)conf + k->off;
	switch (k->kind) {
	case K_PERCENT:
		if (k->off == offsetof(struct vh_project_config, max_growth) ? !conf->has_max_growth
									    : !conf->has_max_share)
			return -ENOENT;
		*out = vh_strfmt("%g%%", *(const double *)field);
		break;
	case K_BOOL:
		if (*(const int *)field < 0)
			return -ENOENT;
		*out = strdup(*(const int *)field ? "true" : "false");
		break;
	case K_MISSING:
		if (!*(const int *)field)
			return -ENOENT;
		*out = strdup(*(const int *)field == VH_PCONF_MISSING_WARN ? "warn" : "error");
		break;
	default:
		if (!*(char *const *)field)
			return -ENOENT;
		*out = strdup(*(char *const *)field);
		break;
	}
	return *out ? 0 : -ENOMEM;
}

const char *vh_pconf_expect__str(enum vh_pconf_expect e)
{
	switch (e) {
	case VH_PCONF_EXPECT_PASS:
		return "pass";
	case VH_PCONF_EXPECT_FAIL:
		return "fail";
	case VH_PCONF_EXPECT_SKIP:
		return "skip";
	default:
		return NULL;
	}
}
