# daemon: vrouterd, the supervisor inside a router VM.
VRD_SRCS := daemon/vrouterd.c daemon/child.c daemon/fifo.c \
	    daemon/fifo_parse.c daemon/state.c daemon/handover.c \
	    daemon/host.c daemon/addrs.c daemon/nat.c daemon/render.c \
	    daemon/control.c daemon/standby.c daemon/inject.c \
	    daemon/ctstats.c daemon/ctstats_parse.c daemon/metrics.c
VRD_OBJS := $(VRD_SRCS:%.c=$(B)/%.o)
# The router description, also linked by vrouterctl, tests and fuzzers.
CONF_SRCS := daemon/config.c daemon/config_json.c daemon/config_check.c \
	     daemon/config_view.c
CONF_OBJS := $(CONF_SRCS:%.c=$(B)/%.o)

$(B)/vrouterd: $(VRD_OBJS) $(CONF_OBJS) $(VSP_GUEST_OBJS) $(VSP_OBJS) $(LIB_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VSP_LIBS) $(PKG_LIBS)

BINS += $(B)/vrouterd
