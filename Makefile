# SPDX-License-Identifier: GPL-2.0
#
#   make                        stacktap.ko for the running kernel, and stacktapctl
#   make KDIR=<headers> ARCH=<x86|mips|arm64> CROSS_COMPILE=<prefix>
#   make install [DESTDIR=] [PREFIX=/usr/local]   module, tool, man page, completion
#   make check                  host tests, W=1/sparse builds, guest suites on every kernel (CI)
#   make check-all              the same with the full guest suite on every kernel (long)
#   make check-debug            guest suite in a KASAN/lockdep/kmemleak/UBSAN kernel (long)
#   make check-churn            all 10 000 add/del cycles under load on every arch (long)
#   make bench                  cost per hit vs the kernel's tracers, per arch (build/bench.json)
#   make demo                   the bond0 demo in an x86_64 guest
#   make dkms-install           register the sources with DKMS (root)
#   make setup                  install host packages (root)

KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
DESTDIR ?=

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace CC="$(CROSS_COMPILE)gcc"

install: install-module install-userspace

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra \
		DEPMOD=true modules_install

install-userspace: userspace
	install -D -m 0755 userspace/stacktapctl $(DESTDIR)$(PREFIX)/sbin/stacktapctl
	install -D -m 0644 userspace/stacktapctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/stacktapctl.8
	install -D -m 0644 userspace/completion/stacktapctl.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/stacktapctl

# DKMS builds from a copy of the module's sources under /usr/src.
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC := $(DESTDIR)/usr/src/stacktap-$(DKMS_VERSION)
# Registering is the host's DKMS's job; DKMS_ADD=: leaves it to another's.
DKMS_ADD ?= dkms status -m stacktap -v $(DKMS_VERSION) | grep -q . || dkms add -m stacktap -v $(DKMS_VERSION)

dkms-install:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	cp -r Kbuild Kconfig dkms.conf module include $(DKMS_SRC)/
	$(DKMS_ADD)

dkms-uninstall:
	-dkms remove -m stacktap -v $(DKMS_VERSION) --all
	rm -rf $(DKMS_SRC)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	rm -f selftests/unit/spec_test

selftests/unit/spec_test: selftests/unit/spec_test.c module/stacktap_spec.c module/stacktap_spec.h
	$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $(filter %.c,$^)

# recording_test.sh runs the host's stacktapctl.
unit: selftests/unit/spec_test
	$(MAKE) -s -C userspace CC="$(HOSTCC)"
	./selftests/unit/spec_test
	./selftests/unit/results_test.sh
	./selftests/unit/completion_test.sh
	./selftests/unit/recording_test.sh
	@v=$$(sed -n 's/^\#define STACKTAP_VERSION\t"\(.*\)"/\1/p' include/uapi/linux/stacktap.h); \
	if [ "$$v" = "$(DKMS_VERSION)" ]; then echo "ok - version $$v in the uapi header and dkms.conf"; \
	else echo "not ok - version: uapi header '$$v', dkms.conf '$(DKMS_VERSION)'"; exit 1; fi

setup:
	./scripts/setup-host.sh

check: setup
	@./selftests/run.sh

# Not part of check: the full suite on every kernel, not only the primary
# ones, and the churn test's full budget (Documentation/testing.rst).
check-all: setup
	@ST_ALL=1 ./selftests/run.sh

# Not part of check: building the debug kernel and running the suite in
# it takes longer than CI allows (Documentation/testing.rst).
check-debug: setup
	@./selftests/check-debug.sh

# Not part of check either: 10 000 cycles take up to an hour on a 2-CPU guest.
check-churn: setup
	@./selftests/check-churn.sh

bench: setup
	@./selftests/bench/bench.sh

demo: setup
	@./selftests/demo.sh

HOSTCC ?= gcc
.PHONY: all module userspace install install-module install-userspace clean unit setup check check-all check-debug check-churn bench demo \
	dkms-install dkms-uninstall
