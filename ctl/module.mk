# ctl: vrouterctl, the admin CLI.  It speaks to the daemons over lib's
# control sockets; it includes none of their headers.
INC.ctl := -Ictl -Irouter-json -Ilib
CTL_SRCS := ctl/vrouterctl.c ctl/show_human.c ctl/show_json.c ctl/conntrack.c \
	    ctl/failtest.c ctl/maintenance.c ctl/reload.c ctl/yield.c
CT_LIBS := $(shell pkg-config --libs libnetfilter_conntrack 2>/dev/null)
CTL_OBJS := $(CTL_SRCS:%.c=$(B)/%.o)

# What vrouterctl links; install links its own copy from the same
# (etc/module.mk), so add objects and libraries here.
CTL_LINK = $(CTL_OBJS) $(CONF_OBJS) $(RENDER_OBJS) $(LIB_OBJS)
CTL_LDLIBS = $(PKG_LIBS) $(CT_LIBS)

$(B)/vrouterctl: $(CTL_LINK)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CTL_LDLIBS)

BINS += $(B)/vrouterctl
