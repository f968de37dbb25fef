# SPDX-License-Identifier: BSD-2-Clause
# tests/vm/vm_lib.sh: what the VM tests share (sourced after tests/lib.sh).
#
# The matrix tests boot real kernels of ci/kernels.conf (fetched into the user's
# kernel cache on first use, so a cold run downloads them once) under QEMU/TCG.
# CI_KERNELS are the two kernels besides the host that `make check` runs: the
# oldest and the newest of the matrix.
CI_KERNELS=${CI_KERNELS:-"5.10 7.2"}

# need_vm: skip unless VMs can run here.
need_vm() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (loads BPF programs in the guests)"
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (make deps)"
	[ -x /bin/busybox ] || skip "busybox-static not installed (make deps)"
	[ -x "$O/bpfgate.static" ] || fail "$O/bpfgate.static was not built"
}

# need_matrix_verify: skip until `bpfgate verify` takes --kernel.
need_matrix_verify() {
	"$BPFGATE" verify --help 2>&1 | grep -q -- '--kernel' ||
		skip "bpfgate verify has no --kernel option in this build"
}

# json_py EXPR FILE: evaluate a Python expression on the JSON document d.
json_py() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[2])); print(eval(sys.argv[1]))' "$1" "$2"
}

# release SERIES: the kernel release ci/kernels.conf pins for SERIES.
release() { "$TOP/ci/kernels.sh" show "$1" | awk '{print $3}'; }
