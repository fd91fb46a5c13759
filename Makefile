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
#   make install              the module into /lib/modules/<release>/updates/
#                             (KERNELRELEASE=, default the running kernel) and
#                             depmod; the CLI, its man page, bash completion,
#                             the systemd unit and, when built, the charon
#                             plugin (DESTDIR= and PREFIX= are honoured)
#   make uninstall            removes all of that again
#   make deb                  Debian packages into build/deb/ (debian/):
#                             gresec-dkms, gresec-tools, and the charon plugin
#                             when strongSwan is installed
#
# Objects for each kernel live in build/<kernel release>[-debug]/ so several
# kernels can be built side by side and rebuilt incrementally.

KVER ?= $(if $(KERNELRELEASE),$(KERNELRELEASE),$(shell uname -r))
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

.PHONY: all module module-debug cli plugin plugin-if-ready check check-debug demo bench bench-smp style sparse clean help uapi \
	install install-module install-tools install-plugin uninstall deb

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

# Installation (make install, make uninstall; debian/rules uses the
# install-tools and install-plugin parts with DESTDIR).  depmod runs only
# for a real install: a DESTDIR tree is staged for packaging.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
# charon looks for plugins and snippets only where Debian put charon.
PLUGINDIR ?= /usr/lib/ipsec/plugins
SSWANCONFDIR ?= /etc/strongswan.d/charon
MODDIR = /lib/modules/$(KREL)/updates
PLUGIN_SO := build/strongswan/libstrongswan-kernel-gresec.so

install: all
	$(MAKE) install-module install-tools install-plugin

install-module:
	@test -e build/$(KREL)/gresec.ko || { echo "gresec: build/$(KREL)/gresec.ko not built (make KVER=$(KREL))" >&2; exit 1; }
	install -D -m 0644 build/$(KREL)/gresec.ko $(DESTDIR)$(MODDIR)/gresec.ko
	$(if $(DESTDIR),,depmod -a $(KREL))

install-tools: cli
	$(MAKE) -C tools install DESTDIR=$(abspath $(DESTDIR)) SBINDIR=$(SBINDIR) MANDIR=$(MANDIR)
	install -D -m 0644 tools/completion/gresec.bash $(DESTDIR)$(BASHCOMPDIR)/gresec
	@if [ -e tools/gresec@.service ]; then \
		echo "install gresec@.service into $(DESTDIR)$(UNITDIR)"; \
		mkdir -p $(DESTDIR)$(UNITDIR) && \
		sed 's|/usr/sbin/gresec|$(SBINDIR)/gresec|g' tools/gresec@.service > $(DESTDIR)$(UNITDIR)/gresec@.service && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/gresec@.service; \
	fi

# The plugin only when it was built (make plugin, or make when strongSwan's
# source is cached): it is no part of an install without strongSwan.
install-plugin:
	@if [ -e $(PLUGIN_SO) ]; then \
		echo "install the charon plugin into $(DESTDIR)$(PLUGINDIR)"; \
		install -D -m 0644 $(PLUGIN_SO) $(DESTDIR)$(PLUGINDIR)/libstrongswan-kernel-gresec.so && \
		install -D -m 0644 strongswan/kernel-gresec.conf $(DESTDIR)$(SSWANCONFDIR)/kernel-gresec.conf; \
	else \
		echo "gresec: charon plugin not built: not installed"; \
	fi

uninstall:
	rm -f $(DESTDIR)$(MODDIR)/gresec.ko
	-rmdir --ignore-fail-on-non-empty $(DESTDIR)$(MODDIR) 2>/dev/null
	$(if $(DESTDIR),,if [ -d /lib/modules/$(KREL)/kernel ]; then depmod -a $(KREL); fi)
	rm -f $(DESTDIR)$(SBINDIR)/gresec $(DESTDIR)$(MANDIR)/man8/gresec.8 \
		$(DESTDIR)$(SBINDIR)/gresec-quick $(DESTDIR)$(MANDIR)/man5/gresec.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/gresec-quick.8 \
		$(DESTDIR)$(BASHCOMPDIR)/gresec $(DESTDIR)$(UNITDIR)/gresec@.service \
		$(DESTDIR)$(PLUGINDIR)/libstrongswan-kernel-gresec.so \
		$(DESTDIR)$(SSWANCONFDIR)/kernel-gresec.conf

# Debian packages (debian/): installs what it needs first, like make check.
deb:
	debian/build-debs.sh build/deb

clean:
	rm -rf build gresec.ko
	$(MAKE) -C tools clean

help:
	@sed -n '3,24p' Makefile
