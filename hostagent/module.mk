# hostagent: vrouter-hostd, the hypervisor agent.
HOSTD_SRCS := hostagent/hostd.c hostagent/vmchan.c hostagent/routes.c \
	      hostagent/registry.c hostagent/garp.c hostagent/control.c
HOSTD_OBJS := $(HOSTD_SRCS:%.c=$(B)/%.o)

$(B)/vrouter-hostd: $(HOSTD_OBJS) $(VSP_OBJS) $(LIB_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VSP_LIBS) $(PKG_LIBS)

BINS += $(B)/vrouter-hostd
