# SPDX-License-Identifier: GPL-2.0
#
#   make                        stacktap.ko for the running kernel
#   make KDIR=<headers> ARCH=<x86|mips|arm64> CROSS_COMPILE=<prefix>
#   make check                  host unit tests + guest suite (x86_64, mips64el, arm64)
#   make demo                   the bond0 demo in an x86_64 guest
#   make setup                  install host packages (root)

KDIR ?= /lib/modules/$(shell uname -r)/build

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -f selftests/unit/spec_test

selftests/unit/spec_test: selftests/unit/spec_test.c module/stacktap_spec.c module/stacktap_spec.h
	$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $(filter %.c,$^)

unit: selftests/unit/spec_test
	./selftests/unit/spec_test

setup:
	./scripts/setup-host.sh

check: setup
	@./selftests/run.sh

demo: setup
	@./selftests/demo.sh

HOSTCC ?= gcc
.PHONY: all module clean unit setup check demo
