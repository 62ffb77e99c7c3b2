# tests/tools: small programs the integration tests use.  Only
# handover_plan_racy.c, a variant of a daemon/ file, includes a module.
INC.tests/tools := -Itests/tools -Idaemon -Irouter-json -Ivirtio-serial \
		   -Ilib
$(B)/tests/tools/schemacheck: $(B)/tests/tools/schemacheck.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

BINS += $(B)/tests/tools/schemacheck

# connhold: many TCP connections (and a UDP stream) held across a failover
# (t_survival.sh, bench/failover.sh).
$(B)/tests/tools/connhold: $(B)/tests/tools/connhold.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

BINS += $(B)/tests/tools/connhold

# ctlflood: a control-socket client that pipelines requests and never
# reads the replies (t_ctl_limits.sh).
$(B)/tests/tools/ctlflood: $(B)/tests/tools/ctlflood.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

BINS += $(B)/tests/tools/ctlflood

# sdlisten: systemd's end of sd_notify, to see when a daemon says READY
# and what holds at that moment (t_systemd.sh).
$(B)/tests/tools/sdlisten: $(B)/tests/tools/sdlisten.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

BINS += $(B)/tests/tools/sdlisten

# vrouterd-racy: vrouterd with the handover order of keepalived issue 2254
# (tests/tools/handover_plan_racy.c instead of daemon/handover_plan.c), for
# t_survival.sh to show the resets it causes.  Never installed.
$(B)/tests/tools/vrouterd-racy: $(filter-out $(B)/daemon/handover_plan.o,$(VRD_LINK)) \
		$(B)/tests/tools/handover_plan_racy.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VRD_LDLIBS)

BINS += $(B)/tests/tools/vrouterd-racy
