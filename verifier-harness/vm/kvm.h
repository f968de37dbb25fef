/* SPDX-License-Identifier: BSD-2-Clause */
/* kvm.h: decide up front whether VMs can use KVM or must use TCG. */
#ifndef BPFGATE_KVM_H
#define BPFGATE_KVM_H

#include <stdbool.h>
#include <stddef.h>

/*
 * KVM is usable only when the CPU advertises vmx or svm AND /dev/kvm answers
 * KVM_GET_API_VERSION and lets us create a VM. The device node alone proves
 * nothing: on some hosts it exists while qemu -enable-kvm spins forever.
 * Returns true when usable; otherwise false with the reason in why.
 */
bool vh_kvm__usable(char *why, size_t whylen);

#endif
