/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * btf_ext.h: walking the records of an object's .BTF.ext.
 *
 * libbpf 1.4 parses .BTF.ext but exports only its raw bytes: the function info
 * (a program's extent), line info (source lines) and CO-RE relocation records
 * are read here, bounds-checked, from btf_ext__raw_data().
 */
#ifndef BPFGATE_BTF_EXT_H
#define BPFGATE_BTF_EXT_H

#include <stdbool.h>
#include <linux/types.h>

struct btf;

enum vh_ext_info {
	VH_EXT_FUNC_INFO, /* records: insn_off, type_id */
	VH_EXT_LINE_INFO, /* records: insn_off, file_name_off, line_off, line_col */
	VH_EXT_CORE_RELO, /* records: insn_off, type_id, access_str_off, kind */
};

/* One info subsection: a record size, then per ELF section its name, a count
 * and that many records. Offsets in records are bytes from the section start. */
struct vh_ext_iter {
	const __u8 *p, *end;
	__u32 rec_size;
	/* the current section */
	const char *sec;
	const __u8 *recs;
	__u32 nrecs;
};

/* Start on one kind of info of raw (size bytes). -ENOENT when the data has no
 * such info (older clang, no CO-RE) or is malformed. */
int vh_ext_iter__init(struct vh_ext_iter *it, const void *raw, __u32 size, enum vh_ext_info which);

/* Move to the next section's records; false at the end or on a malformed
 * header. btf names the sections (it->sec may be NULL). */
bool vh_ext_iter__next(struct vh_ext_iter *it, const struct btf *btf);

/* Field `field` (a __u32 index) of record i of the current section. */
__u32 vh_ext_iter__u32(const struct vh_ext_iter *it, __u32 i, int field);

#endif
