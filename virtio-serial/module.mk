# virtio-serial: the guest<->host protocol (codec, stream, channel I/O).
VSP_SRCS := virtio-serial/vsp_codec.c virtio-serial/vsp_stream.c
VSP_OBJS := $(VSP_SRCS:%.c=$(B)/%.o)
VSP_LIBS := -lz
