# openflow: the OpenFlow 1.3 wire codec (pure; docs/openflow.md).  The
# controller's own sources and binary go below the codec's lines.
INC.openflow := -Iopenflow -Irouter-json -Ilib
OFP_SRCS := openflow/ofp_msg.c openflow/ofp_match.c openflow/ofp_action.c \
	    openflow/ofp_flow.c openflow/ofp_tmpl.c openflow/ofp_stats.c \
	    openflow/ofp_role.c
OFP_OBJS := $(OFP_SRCS:%.c=$(B)/%.o)

# vrouter-ofnat, the controller (docs/ofnat.md).
OFNAT_SRCS := openflow/ofnat.c openflow/ofconn.c openflow/pipeline.c \
	      openflow/legs.c openflow/arp.c openflow/classify.c openflow/icmp.c \
	      openflow/session_flows.c openflow/reconcile.c \
	      openflow/control.c openflow/nat_table.c openflow/packet.c \
	      openflow/metrics.c
# Which candidate connection may become the switch (pure, unit-tested).
OFNAT_SRCS += openflow/ofconn_policy.c
OFNAT_OBJS := $(OFNAT_SRCS:%.c=$(B)/%.o)

$(B)/vrouter-ofnat: $(OFNAT_OBJS) $(OFP_OBJS) $(CONF_OBJS) $(LIB_OBJS) \
		    $(SDNOTIFY_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

BINS += $(B)/vrouter-ofnat
