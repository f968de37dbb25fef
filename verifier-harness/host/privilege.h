/* SPDX-License-Identifier: BSD-2-Clause */
/* privilege.h: can this process load BPF programs? Asked once, before any load. */
#ifndef BPFGATE_PRIVILEGE_H
#define BPFGATE_PRIVILEGE_H

#include <stddef.h>

/* 0 when the effective capabilities allow loading programs of every type with
 * the verifier's privileged rules (CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON
 * and CAP_NET_ADMIN); else -EPERM and in errbuf what is needed and which of
 * those capabilities are missing. */
int vh_privilege__check(char *errbuf, size_t errlen);

#endif
