# tests: one check runner linking the unit suites: each includes the
# module it tests.
INC.tests/unit := -Itests/unit -Idaemon -Ihostagent -Iopenflow \
		  -Irouter-json -Ivirtio-serial -Ilib
UNIT_SRCS := tests/unit/runner.c tests/unit/check_vsp_codec.c \
	     tests/unit/check_vsp_stream.c tests/unit/check_registry.c \
	     tests/unit/check_ctl_frame.c tests/unit/check_fifo_parse.c tests/unit/check_proc.c \
	     tests/unit/check_mustache.c tests/unit/check_config.c
UNIT_OBJS := $(UNIT_SRCS:%.c=$(B)/%.o)

$(B)/tests/unit/runner: $(UNIT_OBJS) $(VSP_OBJS) $(LIB_OBJS) \
		       $(B)/hostagent/registry.o $(B)/daemon/fifo_parse.o \
		       $(CONF_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VSP_LIBS) $(PKG_LIBS) $(CHECK_LIBS)

TESTBINS += $(B)/tests/unit/runner
unit-bins: $(TESTBINS)

# vrouter-ofnat: the NAT table and packet suites.
$(B)/tests/unit/runner: $(B)/tests/unit/check_nat_table.o \
		       $(B)/openflow/nat_table.o \
		       $(B)/tests/unit/check_packet.o $(B)/openflow/packet.o

# The guest session (virtio-serial/vsp_guest.c) on ptys.
UNIT_SRCS += tests/unit/check_vsp_guest.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_vsp_guest.o $(VSP_GUEST_OBJS)

# The OpenFlow 1.3 codec suite.
UNIT_SRCS += tests/unit/check_ofp.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_ofp.o $(OFP_OBJS)

# conntrackd -s parsing and the stalled-sync verdict (daemon/ctstats_parse.c).
UNIT_SRCS += tests/unit/check_ctstats.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_ctstats.o \
		       $(B)/daemon/ctstats_parse.o

# The STATE vrouterd sends its host, at the caps (daemon/host_state.c).
UNIT_SRCS += tests/unit/check_host_state.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_host_state.o \
		       $(B)/daemon/host_state.o

# vrouter-hostd: the planner (trust boundary), the privsep records, the
# kernel route mirror, and the per-VM limits.
UNIT_SRCS += tests/unit/check_routes_plan.c tests/unit/check_psmsg.c \
	     tests/unit/check_kmirror.c tests/unit/check_ratelimit.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_routes_plan.o \
		       $(B)/tests/unit/check_psmsg.o \
		       $(B)/tests/unit/check_kmirror.o \
		       $(B)/tests/unit/check_ratelimit.o \
		       $(B)/hostagent/routes_plan.o $(B)/hostagent/psmsg.o \
		       $(B)/hostagent/kmirror.o

# The control-socket server: back-pressure, the path check, hostile clients.
UNIT_SRCS += tests/unit/check_ctl_server.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_ctl_server.o
# lib/kroute.c against the kernel, each test in its own network namespace.
UNIT_SRCS += tests/unit/check_kroute.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_kroute.o
# lib/log.c's formats: the journal's priorities, the terminal's timestamps.
UNIT_SRCS += tests/unit/check_log.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_log.o

# The Prometheus text writer (lib/prom.c), read back by the client parser.
UNIT_SRCS += tests/unit/check_prom.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_prom.o

# A master's priority by role, and a planned step-down's times (daemon/prio.c).
UNIT_SRCS += tests/unit/check_prio.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_prio.o $(B)/daemon/prio.o
# The records of a predecessor's children (daemon/adopt.c).
UNIT_SRCS += tests/unit/check_adopt.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_adopt.o $(B)/daemon/adopt.o
# The jump lookup's netlink parser, on nf_tables' own replies
# (daemon/nat_jumps.c).
UNIT_SRCS += tests/unit/check_nat_jumps.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_nat_jumps.o \
		       $(B)/daemon/nat_jumps.o
# Which OpenFlow connection may become the switch (openflow/ofconn_policy.c).
UNIT_SRCS += tests/unit/check_ofconn_policy.c
$(B)/tests/unit/runner: $(B)/tests/unit/check_ofconn_policy.o \
		       $(B)/openflow/ofconn_policy.o
