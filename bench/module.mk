# bench: benchmarks that print figures; never pass/fail on time.
# bench/run.sh runs them in the namespace lab (make bench).
# What route_bench and hostile share: clocks, order statistics, the
# chardev's listening end, the guest's STATE, a route monitor (bench.h).
INC.bench := -Ibench -Iopenflow -Ivirtio-serial -Ilib
BENCHLIB_SRCS := bench/clock.c bench/stats.c bench/chardev.c \
		 bench/guest.c bench/rtmon.c
BENCHLIB_OBJS := $(BENCHLIB_SRCS:%.c=$(B)/%.o)

$(B)/bench/route_bench: $(B)/bench/route_bench.o $(BENCHLIB_OBJS) \
			$(LIB_OBJS) $(VSP_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VSP_LIBS) $(PKG_LIBS)

bench-bins: $(B)/bench/route_bench

# ofnat_bench: a fake OpenFlow switch timing vrouter-ofnat's setups.
$(B)/bench/ofnat_bench: $(B)/bench/ofnat_bench.o $(OFP_OBJS) \
			$(B)/openflow/packet.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

bench-bins: $(B)/bench/ofnat_bench

# connrate: new TCP connections/s through a NAT (bench/connrate.sh).
$(B)/bench/connrate: $(B)/bench/connrate.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

bench-bins: $(B)/bench/connrate

# hostile: plays QEMU for honest and hostile VMs at once against
# vrouter-hostd (bench/hostile.sh, tests/integration/t_hostile.sh, which
# `make test` runs: so it is built by `all` too).
$(B)/bench/hostile: $(B)/bench/hostile.o $(BENCHLIB_OBJS) $(LIB_OBJS) \
		    $(VSP_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VSP_LIBS) $(PKG_LIBS)

bench-bins: $(B)/bench/hostile
BINS += $(B)/bench/hostile

# vipmon: a timeline of whether a hypervisor routes a VIP, event driven
# (bench/faults.sh, tests/integration/t_faults.sh, which `make test` runs:
# so it is built by `all` too).
$(B)/bench/vipmon: $(B)/bench/vipmon.o $(BENCHLIB_OBJS) $(LIB_OBJS) \
		   $(VSP_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VSP_LIBS) $(PKG_LIBS)

bench-bins: $(B)/bench/vipmon
BINS += $(B)/bench/vipmon
