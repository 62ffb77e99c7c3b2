# daemon: vrouterd, the supervisor inside a router VM.
INC.daemon := -Idaemon -Irouter-json -Ivirtio-serial -Ilib
VRD_SRCS := daemon/vrouterd.c daemon/child.c daemon/fifo.c \
	    daemon/fifo_parse.c daemon/state.c daemon/handover.c \
	    daemon/host.c daemon/handover_plan.c daemon/addrs.c daemon/nat.c daemon/render.c \
	    daemon/apply.c daemon/nat_jumps.c daemon/host_state.c \
	    daemon/control.c daemon/standby.c daemon/inject.c \
	    daemon/ctstats.c daemon/ctstats_parse.c daemon/metrics.c \
	    daemon/prio.c daemon/rtclass.c daemon/synclink.c \
	    daemon/adopt.c
VRD_OBJS := $(VRD_SRCS:%.c=$(B)/%.o)

# What vrouterd links; install links its own copy from the same
# (etc/module.mk), so add objects and libraries here.
VRD_LINK = $(VRD_OBJS) $(CONF_OBJS) $(RENDER_OBJS) $(VSP_GUEST_OBJS) \
	   $(VSP_OBJS) $(LIB_OBJS) $(SDNOTIFY_OBJS)
VRD_LDLIBS = $(VSP_LIBS) $(PKG_LIBS)

$(B)/vrouterd: $(VRD_LINK)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VRD_LDLIBS)

BINS += $(B)/vrouterd
