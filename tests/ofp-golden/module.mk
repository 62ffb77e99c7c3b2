# tests/ofp-golden: OpenFlow messages from the ofp codec, checked against an
# independent decoder (ovs-ofctl ofp-print) by run.sh.
INC.tests/ofp-golden := -Itests/ofp-golden -Iopenflow
OFP_GOLDEN_GEN := $(B)/tests/ofp-golden/gen

$(OFP_GOLDEN_GEN): $(B)/tests/ofp-golden/gen.o $(OFP_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

TESTBINS += $(OFP_GOLDEN_GEN)
unit-bins: $(OFP_GOLDEN_GEN)
