# tests/golden: the offline renderer the golden tests run (run.sh).
INC.tests/golden := -Itests/golden -Irouter-json -Ilib
GOLDEN_RENDER := $(B)/tests/golden/render
GOLDEN_OBJS := $(B)/tests/golden/render.o $(CONF_OBJS) $(RENDER_OBJS) \
	       $(B)/lib/mustache.o

$(GOLDEN_RENDER): $(GOLDEN_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

TESTBINS += $(GOLDEN_RENDER)
unit-bins: $(GOLDEN_RENDER)
