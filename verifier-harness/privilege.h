/* SPDX-License-Identifier: BSD-2-Clause */
/* privilege.h: can this process load BPF programs? Asked once, before any load. */
#ifndef BPFGATE_PRIVILEGE_H
#define BPFGATE_PRIVILEGE_H

#include <stddef.h>

/* 0 when the effective capabilities allow loading programs of every type
 * (CAP_BPF with CAP_PERFMON and CAP_NET_ADMIN, or CAP_SYS_ADMIN); else -EPERM
 * and the cause in errbuf. */
int vh_privilege__check(char *errbuf, size_t errlen);

#endif
