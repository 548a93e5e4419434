# xpv: a lean Xen PVH guest stack for Linux, kept as a patch series.
#
#   make boot      the main job: base + series -> guest kernel -> boot under
#                  Xen in QEMU, with real dom0 backends
#   make test      every test (what CI runs)
#
# Everything is built out of tree under $(XPV_CACHE); KDIR=/path/to/linux
# uses any mainline checkout as the base instead of Debian's package.

SHELL		:= /bin/bash
XPV_CACHE	?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/xpv
export XPV_CACHE KDIR

TREE		:= $(XPV_CACHE)/work/tree
S		:= scripts

.PHONY: help deps base import export build build-ref check boot boot-ref \
	bench test clean-cache

help:
	@sed -n '3,9p' Makefile | sed 's/^# \{0,1\}//'
	@echo "other targets: deps base import export build build-ref check boot-ref bench"

deps:
	@$(S)/install-deps.sh

base: deps
	@$(S)/fetch-base.sh >/dev/null

# The git working tree: base commit + git am of the series.
import: deps
	@$(S)/import-tree.sh >/dev/null

# patches/ and series regenerated from the working tree.
export:
	@$(S)/export-series.sh

# The series' guest kernel (imports first unless the tree holds new work).
build: deps
	@$(S)/import-tree.sh --if-needed >/dev/null
	@$(S)/build-kernel.sh $(TREE) $(XPV_CACHE)/work/build-xpv xpv

# The reference: the same base with mainline's in-tree Xen drivers.
build-ref: deps
	@$(S)/build-kernel.sh "$$($(S)/fetch-base.sh)" $(XPV_CACHE)/work/build-ref reference

check: deps
	@$(S)/check-patches.sh

boot: build
	@$(S)/rig/boot.sh --kernel $(XPV_CACHE)/work/build-xpv/arch/x86/boot/bzImage --name xpv

boot-ref: build-ref
	@$(S)/rig/boot.sh --kernel $(XPV_CACHE)/work/build-ref/arch/x86/boot/bzImage --name reference

# xpv's frontends next to mainline's, in one rig run (figures, not a test).
bench: build build-ref
	@$(S)/bench.sh $(XPV_CACHE)/work/build-xpv/arch/x86/boot/bzImage \
		$(XPV_CACHE)/work/build-ref/arch/x86/boot/bzImage

test: deps
	@$(S)/run-tests.sh

clean-cache:
	rm -rf $(XPV_CACHE)
