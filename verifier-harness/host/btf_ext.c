// SPDX-License-Identifier: BSD-2-Clause
/* btf_ext.c: bounds-checked iteration over .BTF.ext records. */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "btf_ext.h"

/* .BTF.ext as clang writes it (the kernel's UAPI headers have no copy of it).
 * The CO-RE part is newer: hdr_len says whether it is there. */
struct ext_header {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off;
	__u32 func_info_len;
	__u32 line_info_off;
	__u32 line_info_len;
	__u32 core_relo_off;
	__u32 core_relo_len;
};

#define BTF_EXT_MAGIC 0xeB9F
#define HDR_LEN_BASE 24 /* without the CO-RE fields */

/* the smallest record each kind of info may have */
static const __u32 min_rec_size[] = {
	[VH_EXT_FUNC_INFO] = 8,
	[VH_EXT_LINE_INFO] = 16,
	[VH_EXT_CORE_RELO] = 16,
};

int vh_ext_iter__init(struct vh_ext_iter *it, const void *raw, __u32 size, enum vh_ext_info which)
{
	struct ext_header h = { 0 };
	__u32 off, len;
	__u64 start;

	memset(it, 0, sizeof(*it));
	if (!raw || size < HDR_LEN_BASE)
		return -ENOENT;
	memcpy(&h, raw, size < sizeof(h) ? size : sizeof(h));
	if (h.magic != BTF_EXT_MAGIC || h.hdr_len < HDR_LEN_BASE || h.hdr_len > size)
		return -ENOENT;
	switch (which) {
	case VH_EXT_FUNC_INFO:
		off = h.func_info_off, len = h.func_info_len;
		break;
	case VH_EXT_LINE_INFO:
		off = h.line_info_off, len = h.line_info_len;
		break;
	case VH_EXT_CORE_RELO:
		if (h.hdr_len < sizeof(h))
			return -ENOENT;
		off = h.core_relo_off, len = h.core_relo_len;
		break;
	default:
		return -EINVAL;
	}
	start = (__u64)h.hdr_len + off;
	if (len < sizeof(__u32) || start + len > size)
		return -ENOENT;
	it->p = (const __u8 *)raw + start;
	it->end = it->p + len;
	memcpy(&it->rec_size, it->p, sizeof(__u32));
	it->p += sizeof(__u32);
	if (it->rec_size < min_rec_size[which] || it->rec_size > 1024)
		return -ENOENT;
	return 0;
}

bool vh_ext_iter__next(struct vh_ext_iter *it, const struct btf *btf)
{
	__u32 hdr[2];

	if (!it->p || (size_t)(it->end - it->p) < sizeof(hdr))
		return false;
	memcpy(hdr, it->p, sizeof(hdr));
	it->p += sizeof(hdr);
	if ((__u64)hdr[1] * it->rec_size > (__u64)(it->end - it->p))
		return false;
	it->sec = btf__str_by_offset(btf, hdr[0]);
	it->recs = it->p;
	it->nrecs = hdr[1];
	it->p += (size_t)hdr[1] * it->rec_size;
	return true;
}

__u32 vh_ext_iter__u32(const struct vh_ext_iter *it, __u32 i, int field)
{
	__u32 v;

	memcpy(&v, it->recs + (size_t)i * it->rec_size + field * sizeof(__u32), sizeof(v));
	return v;
}
