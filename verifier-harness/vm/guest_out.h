/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * guest_out.h: read the channel a VM guest writes back (framing in vm.h). Everything
 * in it is untrusted: a panicking or hostile guest can write anything there.
 */
#ifndef BPFGATE_GUEST_OUT_H
#define BPFGATE_GUEST_OUT_H

#include <stdbool.h>
#include <stddef.h>

/* More than this in a guest's channel is refused (a guest gone wild). */
#define VH_GUEST_OUT_MAX (256UL << 20)

/* One complete section of the channel. */
struct vh_guest_section {
	char *data;           /* LEN bytes and a NUL */
	size_t len;
	int rc;               /* the RC of its end marker */
	int step;             /* the step marker it followed (1..N), 0 none */
};

/* What came back from a guest (parsed from rundir/guest.out). */
struct vh_guest_out {
	char release[128];
	double init_uptime;   /* guest uptime when /init started: kernel boot */
	double verify_start;  /* guest uptime around the steps */
	double verify_end;
	bool hello, verified, done;
	int steps_started;    /* I of the last step marker, 0 none */
	int steps_total;      /* N of the last step marker, 0 none */
	int verify_rc;        /* highest RC of the results sections, -1 none */
	struct vh_guest_section *results; /* every complete results section, in order */
	int nresults;
	char *probe;          /* feature probe JSON, or NULL */
	size_t probe_len;
	char *stderr_text;    /* its stderr, or NULL */
	size_t stderr_len;
	char problem[160];    /* framing error, "" when fine */
};

/*
 * Parse a guest's output (the whole file); 0, or -errno if it cannot be read (or
 * -ENOMEM). Parsing stops at the first section that is cut short or garbled (problem
 * says which); every section before it is kept.
 */
int vh_guest_out__parse(const char *path, struct vh_guest_out *g);
void vh_guest_out__free(struct vh_guest_out *g);

#endif
