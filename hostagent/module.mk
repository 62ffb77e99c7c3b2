# hostagent: vrouter-hostd, the hypervisor agent: the route process and,
# in the same binary, the channel engine (`-E`, started by privsep.c).
INC.hostagent := -Ihostagent -Ivirtio-serial -Ilib
HOSTD_SRCS := hostagent/hostd.c hostagent/vms.c hostagent/chan.c \
	      hostagent/routes.c hostagent/routes_plan.c hostagent/kmirror.c \
	      hostagent/linkmon.c hostagent/events.c hostagent/registry.c \
	      hostagent/garp.c hostagent/metrics.c \
	      hostagent/control.c hostagent/privsep.c hostagent/psio.c \
	      hostagent/psmsg.c hostagent/engine.c hostagent/sandbox.c
HOSTD_OBJS := $(HOSTD_SRCS:%.c=$(B)/%.o)
SECCOMP_LIBS := $(shell pkg-config --libs libseccomp 2>/dev/null)

$(B)/vrouter-hostd: $(HOSTD_OBJS) $(VSP_OBJS) $(LIB_OBJS) $(SDNOTIFY_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VSP_LIBS) $(PKG_LIBS) $(SECCOMP_LIBS)

BINS += $(B)/vrouter-hostd
