/* SPDX-License-Identifier: GPL-2.0 */
/* The project's own vmlinux.h: UAPI types, and a mark bpfgate's vmlinux.h lacks. */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__
#include <linux/types.h>
#include <linux/bpf.h>
#define PROJECT_OWN_VMLINUX_H 1
#endif
