# lib: what more than one binary needs.  It uses no other folder.
INC.lib := -Ilib
LIB_SRCS := lib/log.c lib/evglue.c lib/kroute.c lib/ctl_frame.c lib/ctl_server.c \
	    lib/ctl_client.c lib/jsonutil.c lib/nlreq.c lib/proc.c lib/mustache.c \
	    lib/tbucket.c lib/logrl.c lib/version.c lib/prom.c lib/promfile.c \
	    lib/promwriter.c
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
# systemd notifications: linked by the daemons alone (libsystemd is
# loaded at run time, under systemd only: lib/sdnotify.c).
SDNOTIFY_OBJS := $(B)/lib/sdnotify.o

# One version for every binary and package, from VERSION (one line, e.g.
# 0.9.0; debian/changelog must agree).  Only version.o depends on it.
VROUTER_VERSION := $(shell sed -n '1{/^[0-9][0-9A-Za-z.+~-]*$$/p;}' VERSION 2>/dev/null)
ifeq ($(VROUTER_VERSION),)
$(error VERSION: want one line such as 0.9.0 (digits, letters, . + ~ -))
endif
$(B)/lib/version.o: CPPFLAGS += -DVROUTER_VERSION='"$(VROUTER_VERSION)"'
$(B)/lib/version.o: VERSION
