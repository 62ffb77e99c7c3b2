# tests/tools: small programs the integration tests use.
$(B)/tests/tools/schemacheck: $(B)/tests/tools/schemacheck.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

BINS += $(B)/tests/tools/schemacheck
