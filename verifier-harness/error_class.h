/* SPDX-License-Identifier: BSD-2-Clause */
/* error_class.h: why the verifier rejected a program, in a fixed vocabulary. */
#ifndef BPFGATE_ERROR_CLASS_H
#define BPFGATE_ERROR_CLASS_H

struct vh_error_class {
	const char *name;
	const char *kind; /* "kernel lacks a feature" or "program has a bug" */
	const char *hint;
};

const struct vh_error_class *vh_error__classify(const char *log, int load_err);
const struct vh_error_class *vh_error__by_name(const char *name);

#endif
