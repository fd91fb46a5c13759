# SPDX-License-Identifier: GPL-2.0
#
# gresec: GRE over IPsec (ESP transport mode) as one Linux tunnel device.
#
#   make                      module for the running kernel + the CLI
#   make KDIR=/path/to/build  module for any kernel headers tree
#   make check                the whole test suite in QEMU VMs (installs what it needs)
#   make demo                 two VMs, one protected tunnel, traffic and state
#   make plugin               the charon plugin kernel-gresec (strongswan/):
#                             fetches and configures Debian's strongSwan source
#                             once; plain make builds it only when that is cached
#
# Objects for each kernel live in build/<kernel release>[-debug]/ so several
# kernels can be built side by side and rebuilt incrementally.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
GRESEC_VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)
# Name build directories after the release the kernel reports (uname -r),
# which for Debian's headers is the /lib/modules/<release>/build path.
KREL := $(patsubst /lib/modules/%/build,%,$(KDIR))
ifeq ($(KREL),$(KDIR))
KREL := $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
endif
W ?=
WERROR ?= y

SRCS := Kbuild $(wildcard kmod/*.c kmod/*.h kmod/selftest/*.c) uapi/linux/gresec.h

.PHONY: all module module-debug cli plugin plugin-if-ready check check-debug demo bench bench-smp style sparse clean help uapi

all: module cli plugin-if-ready

define build_module
	@test -d "$(KDIR)" || { echo "gresec: no kernel headers at $(KDIR) (install linux-headers-$(KVER) or pass KDIR=)" >&2; exit 1; }
	@mkdir -p $(1)
	@cp -pu --parents $(SRCS) $(1)/
	$(MAKE) -C $(KDIR) M=$(abspath $(1)) GRESEC_VERSION=$(GRESEC_VERSION) \
		GRESEC_WERROR=$(WERROR) $(2) W=$(W) modules
endef

module:
	$(call build_module,build/$(KREL),)
	@ln -sf build/$(KREL)/gresec.ko gresec.ko

module-debug:
	$(call build_module,build/$(KREL)-debug,GRESEC_DEBUG=y)

sparse:
	$(call build_module,build/$(KREL)-sparse,C=2 CF=-D__CHECK_ENDIAN__)

cli:
	$(MAKE) -C tools

# The charon plugin needs a configured strongSwan tree of the installed
# charon's version (strongswan/fetch-source.sh, cached in /var/cache/gresec).
plugin:
	$(MAKE) -C strongswan/kernel_gresec

plugin-if-ready:
	@if ! dpkg-query -W -f='$${Status}' strongswan-charon 2>/dev/null | grep -q 'ok installed'; then \
		echo "gresec: charon plugin not built: strongswan-charon is not installed"; \
	elif ! src=$$(strongswan/fetch-source.sh --check); then \
		echo "gresec: charon plugin not built: no configured strongSwan source cached yet (make plugin fetches it)"; \
	else \
		$(MAKE) -C strongswan/kernel_gresec SSWAN_SRC=$$src; \
	fi

style:
	tests/style.sh

check:
	tests/run.sh

check-debug:
	tests/check-debug.sh

demo:
	tests/demo.sh

bench:
	tests/bench.sh

bench-smp:
	BENCH_PROFILE=smp tests/bench.sh

uapi:
	$(MAKE) -C uapi

clean:
	rm -rf build gresec.ko
	$(MAKE) -C tools clean

help:
	@sed -n '3,15p' Makefile
