# tests/lab: the namespace lab (lab.sh) and the virtio-serial stand-in.
INC.tests/lab := -Itests/lab -Ilib
LAB_SRCS := tests/lab/chardev-relay.c
LAB_OBJS := $(LAB_SRCS:%.c=$(B)/%.o)

# Only log.o: the rest of lib/ pulls in libmnl and jansson.
$(B)/tests/lab/chardev-relay: $(LAB_OBJS) $(B)/lib/log.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

BINS += $(B)/tests/lab/chardev-relay
