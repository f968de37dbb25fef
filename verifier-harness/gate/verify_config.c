// SPDX-License-Identifier: BSD-2-Clause
/*
 * verify_config.c: a project's bpfgate.conf as the defaults of verify and merge.
 * The config says what the project is (baseline, gate, kernels, tests); an option
 * on the command line says what this run is, and wins.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "strfmt.h"
#include "verify_cfg.h"

static bool given(const struct verify_cfg *cfg, int id)
{
	return cfg->given & (1ULL << id);
}

/* a string the cfg keeps until vh_verify_cfg__free */
static const char *own(struct verify_cfg *cfg, char *s)
{
	char **grown;

	if (!s)
		return NULL;
	grown = realloc(cfg->conf_strs, (cfg->nconf_strs + 1) * sizeof(*grown));
	if (!grown) {
		free(s);
		return NULL;
	}
	cfg->conf_strs = grown;
	cfg->conf_strs[cfg->nconf_strs++] = s;
	return s;
}

int vh_verify_cfg__append(const char ***list, int *n, const char *s)
{
	const char **grown = realloc(*list, (*n + 1) * sizeof(char *));

	if (!grown) {
		vh_err(s, "out of memory");
		return -ENOMEM;
	}
	grown[(*n)++] = s;
	*list = grown;
	return 0;
}

static void take_gate(struct verify_cfg *cfg, const struct vh_project_config *c)
{
	if (c->baseline && !given(cfg, VH_OPT_BASELINE)) {
		/* a project not baselined yet is verified, not gated */
		if (access(c->baseline, F_OK))
			vh_warn(c->baseline, "the baseline of %s does not exist yet: not gated "
				"('make baseline' writes it)", c->path);
		else
			cfg->baseline = cfg->cmp.base_name = c->baseline;
	}
	if (c->has_max_growth && !given(cfg, VH_OPT_MAX_GROWTH))
		cfg->cmp.max_growth_pct = c->max_growth;
	if (c->has_max_share && !given(cfg, VH_OPT_MAX_SHARE))
		cfg->cmp.max_share_pct = c->max_share;
	if (c->baseline_missing != VH_PCONF_MISSING_UNSET && !given(cfg, VH_OPT_BASELINE_MISSING))
		cfg->cmp.missing = c->baseline_missing == VH_PCONF_MISSING_WARN ? VH_MISSING_WARN :
										   VH_MISSING_ERROR;
	if (c->allow_removed >= 0 && !given(cfg, VH_OPT_ALLOW_REMOVED))
		cfg->cmp.allow_removed = c->allow_removed;
}

/* kernels and tests: only when the command line names none */
static int take_run(struct verify_cfg *cfg, const struct vh_project_config *c)
{
	int err = 0;

	if (c->kernels && !cfg->nkernels) {
		char *copy = strdup(c->kernels), *tok, *save = NULL;

		if (!own(cfg, copy)) {
			vh_err(c->path, "out of memory");
			return -ENOMEM;
		}
		for (tok = strtok_r(copy, " ", &save); tok && !err; tok = strtok_r(NULL, " ", &save))
			err = vh_verify_cfg__append(&cfg->kernels, &cfg->nkernels, tok);
	}
	for (size_t i = 0; i < c->ntests && !cfg->ntests && !err; i++) {
		if (access(c->tests[i].exe, X_OK)) {
			vh_err(c->tests[i].exe, "test '%s' of %s: cannot execute: %s", c->tests[i].name,
			       c->path, strerror(errno));
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < c->ntests && !cfg->ntests && !err; i++)
		err = vh_verify_cfg__append(&cfg->tests, &cfg->ntests, c->tests[i].exe);
	return err;
}

int vh_verify_cfg__config(struct verify_cfg *cfg, bool with_run)
{
	const char *path = cfg->config;
	char errbuf[512];
	int err;

	if (!path && !access(VH_PCONF_FILE, F_OK))
		path = VH_PCONF_FILE;
	if (!path)
		return 0;
	cfg->conf = calloc(1, sizeof(*cfg->conf));
	if (!cfg->conf) {
		vh_err(path, "out of memory");
		return -EINVAL;
	}
	err = vh_project_config__load(cfg->conf, path, errbuf, sizeof(errbuf));
	if (err) {
		vh_err(NULL, "%s", errbuf);
		return -EINVAL;
	}
	take_gate(cfg, cfg->conf);
	if (with_run) {
		err = take_run(cfg, cfg->conf);
		if (err)
			return -EINVAL;
	}
	return 0;
}

/* NAME of NAME.bpf.o (or of any OBJ.o): how bpf.mk and [program "GLOB"] name it */
static char *object_name(const char *object)
{
	const char *base = strrchr(object, '/') ? strrchr(object, '/') + 1 : object;
	size_t n = strlen(base);

	if (n > 6 && !strcmp(base + n - 6, ".bpf.o"))
		n -= 6;
	else if (n > 2 && !strcmp(base + n - 2, ".o"))
		n -= 2;
	return strndup(base, n);
}

/* expect = fail: a rejection is what the project asked for, an acceptance is not */
static void expect_fail(const char *conf, struct vh_result *r)
{
	r->expect = strdup("fail");
	if (r->verdict == VH_FAIL) {
		r->verdict = VH_PASS;
		return;
	}
	r->verdict = VH_FAIL;
	r->error = vh_strfmt("the verifier accepted a program that %s expects to fail", conf);
	r->error_class = strdup("expectation");
	r->error_kind = strdup("program has a bug");
}

int vh_verify_cfg__expectations(const struct verify_cfg *cfg, struct vh_result_set *set)
{
	for (size_t i = 0; cfg->conf && i < set->n; i++) {
		struct vh_result *r = &set->v[i];
		struct vh_pconf_match m;
		char *name;
		int err;

		/* tags in the program's source decide first; errors stay errors */
		if (r->expect || !r->object || !r->program ||
		    (r->verdict != VH_PASS && r->verdict != VH_FAIL))
			continue;
		name = object_name(r->object);
		if (!name)
			return -ENOMEM;
		err = vh_project_config__match(cfg->conf, name, r->program, &m);
		free(name);
		if (err)
			return err;
		free(m.cflags);
		if (m.expect == VH_PCONF_EXPECT_FAIL) {
			expect_fail(cfg->conf->path, r);
		} else if (m.expect == VH_PCONF_EXPECT_SKIP) {
			r->verdict = VH_SKIP;
			free(r->reason);
			r->reason = vh_strfmt("expect = skip in %s", cfg->conf->path);
		}
	}
	return 0;
}

void vh_verify_cfg__free(struct verify_cfg *cfg)
{
	free(cfg->kernels);
	free(cfg->tests);
	for (size_t i = 0; i < cfg->nconf_strs; i++)
		free(cfg->conf_strs[i]);
	free(cfg->conf_strs);
	if (cfg->conf)
		vh_project_config__free(cfg->conf);
	free(cfg->conf);
	cfg->kernels = cfg->tests = NULL;
	cfg->conf_strs = NULL;
	cfg->conf = NULL;
}
