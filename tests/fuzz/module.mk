# tests/fuzz: libFuzzer targets, their seeds and their saved crashes.
# See tests/fuzz/README.md.  The Makefile includes this file after every
# other module.mk, so the module sources a target names are known here.
#
# A target NAME is tests/fuzz/NAME.c defining LLVMFuzzerTestOneInput.
# To add one, add its name and what it links (sources and -l flags):
#
#	FUZZ_TARGETS += NAME
#	NAME_SRCS = <sources of the module it tests>
#	NAME_LIBS = <libraries those need>
#
# and put a few seed inputs in tests/fuzz/seeds/NAME/.  Each target is
# built twice: with clang and libFuzzer into build-fuzz/NAME (make fuzz),
# and with $(CC) and replay_main.c into $(B)/tests/fuzz/NAME, which make
# unit runs over tests/fuzz/seeds/NAME and tests/fuzz/crashes/NAME.
#
# A target includes the module it tests; the module sources compiled here
# for the libFuzzer build get their own folder's INC, as in $(B).
INC.tests/fuzz := -Itests/fuzz -Idaemon -Ihostagent -Iopenflow \
		  -Irouter-json -Ivirtio-serial -Ilib

FUZZ_TARGETS += fuzz_vsp_stream fuzz_vsp_encode
fuzz_vsp_stream_SRCS = $(VSP_SRCS) tests/fuzz/vsp_oracle.c
fuzz_vsp_stream_LIBS = $(VSP_LIBS)
fuzz_vsp_encode_SRCS = $(VSP_SRCS) tests/fuzz/vsp_oracle.c
fuzz_vsp_encode_LIBS = $(VSP_LIBS)
FUZZ_TARGETS += fuzz_fifo fuzz_registry
fuzz_fifo_SRCS = daemon/fifo_parse.c
fuzz_fifo_LIBS =
fuzz_registry_SRCS = hostagent/registry.c lib/kroute.c
fuzz_registry_LIBS = $(PKG_LIBS)
FUZZ_TARGETS += fuzz_mustache
fuzz_mustache_SRCS = lib/mustache.c
fuzz_mustache_LIBS = $(PKG_LIBS)
FUZZ_TARGETS += fuzz_config
fuzz_config_SRCS = $(CONF_SRCS)
fuzz_config_LIBS = $(PKG_LIBS)
FUZZ_TARGETS += fuzz_packet
fuzz_packet_SRCS = openflow/packet.c
fuzz_packet_LIBS =
FUZZ_TARGETS += fuzz_psmsg
fuzz_psmsg_SRCS = hostagent/psmsg.c
fuzz_psmsg_LIBS =
FUZZ_TARGETS += fuzz_ofp
fuzz_ofp_SRCS = $(OFP_SRCS)
fuzz_ofp_LIBS =
FUZZ_TARGETS += fuzz_ofconn
fuzz_ofconn_SRCS = $(OFP_SRCS) openflow/ofconn_policy.c
fuzz_ofconn_LIBS =
FUZZ_TARGETS += fuzz_ctl_frame
fuzz_ctl_frame_SRCS = lib/ctl_frame.c
fuzz_ctl_frame_LIBS = $(PKG_LIBS)
FUZZ_TARGETS += fuzz_kroute
fuzz_kroute_SRCS = lib/kroute.c
fuzz_kroute_LIBS = $(PKG_LIBS)
FUZZ_TARGETS += fuzz_nftrule
fuzz_nftrule_SRCS = daemon/nat_jumps.c
fuzz_nftrule_LIBS = $(PKG_LIBS)

FUZZ_B		 = build-fuzz
FUZZ_CC		 = clang
FUZZ_SECONDS	?= 60
FUZZ_MAX_LEN	?= 9000
FUZZ_SAN	 = address,undefined
FUZZ_CFLAGS	 = -g -O1 -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined \
		   -fsanitize=fuzzer-no-link,$(FUZZ_SAN)
FUZZ_LDFLAGS	 = -fsanitize=fuzzer,$(FUZZ_SAN)

# The libFuzzer build has its own objects, compiled by clang.
$(FUZZ_B)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(INC.$(<D)) $(FUZZ_CFLAGS) $(WARN) -std=c11 \
	    -MMD -MP -c -o $@ $<

define fuzz_target
$(FUZZ_B)/$(1): $(FUZZ_B)/obj/tests/fuzz/$(1).o \
    $$($(1)_SRCS:%.c=$(FUZZ_B)/obj/%.o)
	@$$(if $$(Q),echo "  FUZZLD  $$@")
	$$(Q)$$(FUZZ_CC) $$(FUZZ_LDFLAGS) -o $$@ $$^ $$($(1)_LIBS)

$(B)/tests/fuzz/$(1): $(B)/tests/fuzz/$(1).o $(B)/tests/fuzz/replay_main.o \
    $$($(1)_SRCS:%.c=$(B)/%.o)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$($(1)_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_target,$(t))))

FUZZBINS += $(FUZZ_TARGETS:%=$(FUZZ_B)/%)
FUZZ_REPLAY := $(FUZZ_TARGETS:%=$(B)/tests/fuzz/%)

# Seeds for fuzz_vsp_stream come from the real encoder (mkseeds.c).
$(B)/tests/fuzz/mkseeds: $(B)/tests/fuzz/mkseeds.o $(VSP_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VSP_LIBS)

TESTBINS += $(FUZZ_REPLAY) $(B)/tests/fuzz/mkseeds
unit-bins: $(FUZZ_REPLAY) $(B)/tests/fuzz/mkseeds

fuzz-seeds: $(B)/tests/fuzz/mkseeds
	@mkdir -p tests/fuzz/seeds/fuzz_vsp_stream
	$(B)/tests/fuzz/mkseeds tests/fuzz/seeds/fuzz_vsp_stream

# Run each target for FUZZ_SECONDS on its corpus in build-fuzz, starting
# from its seeds and its saved crashes.  A crash is written to
# tests/fuzz/crashes/NAME/ (commit it with the fix: make unit replays it)
# and fails the run.  The full libFuzzer output is in build-fuzz/NAME.log.
fuzz: $(FUZZBINS)
	$(Q)set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_B)/corpus/$$t tests/fuzz/seeds/$$t \
	        tests/fuzz/crashes/$$t; \
	    echo "  FUZZ    $$t for $(FUZZ_SECONDS)s"; \
	    if ! $(FUZZ_B)/$$t -max_len=$(FUZZ_MAX_LEN) \
	        -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	        -print_final_stats=1 \
	        -artifact_prefix=tests/fuzz/crashes/$$t/ \
	        $(FUZZ_B)/corpus/$$t tests/fuzz/seeds/$$t \
	        tests/fuzz/crashes/$$t >$(FUZZ_B)/$$t.log 2>&1; then \
	        tail -n 40 $(FUZZ_B)/$$t.log; \
	        echo "fuzz: $$t failed; input saved in tests/fuzz/crashes/$$t/" >&2; \
	        exit 1; \
	    fi; \
	    grep -E '^(Done|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))' \
	        $(FUZZ_B)/$$t.log | sed 's/^/          /'; \
	    echo "          corpus: $$(ls $(FUZZ_B)/corpus/$$t | wc -l) inputs"; \
	done

.PHONY: fuzz-seeds

-include $(shell find $(FUZZ_B) -name '*.d' 2>/dev/null)
