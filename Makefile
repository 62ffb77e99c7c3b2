# vrouter: one non-recursive Makefile; each folder adds its part in module.mk.
#
#   make            build everything into build/
#   make test       install missing packages, build, run unit + integration tests
#   make unit       unit tests only
#   make SAN=1 ...  the same with ASan and UBSan, in build-san/
#   make fuzz       libFuzzer targets (clang), each for FUZZ_SECONDS
#   make demo       the HA pair failover story in the namespace lab
#   make V=1        show the commands
#   make install    PREFIX=/usr/local DESTDIR= (etc/module.mk)
#   make deb        Debian packages (debian/) into build/deb
#   make deb-test   build, lintian, install, check and purge them (root)

PREFIX	?= /usr/local
DESTDIR	?=
CC	?= cc

WARN	 = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	   -Wpointer-arith -Wcast-qual -Wformat=2 -Wold-style-definition
ifneq ($(WERROR),0)
WARN	+= -Werror
endif

PKGS	 = libmnl jansson libevent
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

CFLAGS	?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE $(PKG_CFLAGS)
# Include paths go by folder, not globally: a source in DIR/ is compiled
# with $(INC.DIR), which DIR/module.mk sets to DIR and exactly the folders
# whose headers it may use (docs/architecture.md, "Source layout").  So
# the build enforces the layering: a header from any other folder is not
# found.  The three compile rules (this file's, install's in
# etc/module.mk, the fuzz build's in tests/fuzz/module.mk) all add
# $(INC.$(<D)), so every build of a file sees the same folders.
ALL_CFLAGS = $(CFLAGS) $(WARN) -std=c11

ifeq ($(SAN),1)
B	?= build-san
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
LDFLAGS	+= -fsanitize=address,undefined
else
B	?= build
endif

ifeq ($(V),1)
Q	 =
else
Q	 = @
endif

BINS	 :=
TESTBINS :=
FUZZBINS :=

all:

include lib/module.mk
include router-json/module.mk
include virtio-serial/module.mk
include openflow/module.mk
include hostagent/module.mk
include daemon/module.mk
include ctl/module.mk
include notify/module.mk
include tests/module.mk
include tests/golden/module.mk
include tests/ofp-golden/module.mk
include tests/lab/module.mk
include tests/tools/module.mk
include bench/module.mk
include tests/fuzz/module.mk
include etc/module.mk

all: $(BINS)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(INC.$(<D)) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

deps:
	@sh scripts/install-deps.sh

test: deps
	$(MAKE) all unit-bins
	sh tests/run-unit.sh $(B)
	sh tests/run-integration.sh $(B)

unit: unit-bins
	sh tests/run-unit.sh $(B)

integration: all
	sh tests/run-integration.sh $(B)

demo: deps
	$(MAKE) all
	sh tests/lab/demo.sh $(B)

bench: all bench-bins
	sh bench/run.sh $(B)

deb:
	@sh scripts/install-deps.sh deb
	sh scripts/build-deb.sh

deb-test:
	@sh scripts/install-deps.sh deb
	sh tests/deb/t_deb.sh

clean:
	rm -rf build build-san build-fuzz build-*

.PHONY: all deps test unit integration demo bench clean fuzz install unit-bins bench-bins \
	deb deb-test

-include $(shell find $(B) -name '*.d' 2>/dev/null)
