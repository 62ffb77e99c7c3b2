# notify: vrouter-notify, the keepalived notify hook for hand-written
# keepalived configs.
INC.notify := -Inotify -Ivirtio-serial -Ilib
NOTIFY_SRCS := notify/notify.c notify/args.c notify/forward.c \
	       notify/direct.c
NOTIFY_OBJS := $(NOTIFY_SRCS:%.c=$(B)/%.o)

$(B)/vrouter-notify: $(NOTIFY_OBJS) $(VSP_GUEST_OBJS) $(VSP_OBJS) \
		     $(LIB_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VSP_LIBS) $(PKG_LIBS)

BINS += $(B)/vrouter-notify
