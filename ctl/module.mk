# ctl: vrouterctl, the admin CLI.
CTL_SRCS := ctl/vrouterctl.c ctl/show_human.c ctl/show_json.c ctl/conntrack.c \
	    ctl/failtest.c ctl/maintenance.c
CT_LIBS := $(shell pkg-config --libs libnetfilter_conntrack 2>/dev/null)
CTL_OBJS := $(CTL_SRCS:%.c=$(B)/%.o)

$(B)/vrouterctl: $(CTL_OBJS) $(B)/daemon/render.o $(CONF_OBJS) $(LIB_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CT_LIBS)

BINS += $(B)/vrouterctl
