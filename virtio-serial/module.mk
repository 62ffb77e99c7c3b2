# virtio-serial: the guest<->host protocol (codec, stream, channel I/O).
INC.virtio-serial := -Ivirtio-serial -Ilib
VSP_SRCS := virtio-serial/vsp_codec.c virtio-serial/vsp_stream.c
VSP_OBJS := $(VSP_SRCS:%.c=$(B)/%.o)
VSP_GUEST_OBJS := $(B)/virtio-serial/vsp_guest.o
VSP_LIBS := -lz

$(B)/vrouter-vsp: $(B)/virtio-serial/vsp_tool.o $(VSP_GUEST_OBJS) \
		  $(VSP_OBJS) $(LIB_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VSP_LIBS) $(PKG_LIBS)

BINS += $(B)/vrouter-vsp
