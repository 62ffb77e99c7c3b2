# etc: example configurations, systemd units (etc/systemd), the tmpfiles.d
# rules (etc/tmpfiles: a folder named *.d would be ignored by git; its
# vrouter-ganeti.conf, the channel folder, is for Ganeti nodes only); and
# `make install`.
#
#   make install [PREFIX=/usr/local] [DESTDIR=] [SYSCONFDIR=/etc]
#
# The files in etc/ and docs/ name /usr/local paths; install rewrites them
# for PREFIX, so the tree's own copies stay usable as they are
# (systemd-analyze verify, man -l).  tests/integration/t_install.sh checks
# the installed tree.
SYSCONFDIR	?= /etc
SBINDIR		?= $(PREFIX)/sbin
VR_LIBDIR	?= $(PREFIX)/lib/vrouter
DATADIR		?= $(PREFIX)/share/vrouter
DOCDIR		?= $(PREFIX)/share/doc/vrouter
MANDIR		?= $(PREFIX)/share/man
UNITDIR		?= $(PREFIX)/lib/systemd/system
TMPFILESDIR	?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d

# vrouterd's and vrouterctl's default template folder (-T) is compiled into
# vrouterd.o and vrouterctl.o.  `make install` must not change the build
# tree, yet the installed binaries need the installed folder, so there are
# two builds of those two objects:
#  - $(B)/daemon/vrouterd.o, $(B)/ctl/vrouterctl.o get the source tree's
#    templates/ ($(CURDIR)/templates): build/vrouterctl check works from
#    the source tree with no -T;
#  - install compiles its own copies into $(B)/install-objs with
#    $(DATADIR)/templates and links the binaries it installs from them and
#    the build's other objects ($(VRD_LINK), $(CTL_LINK)); $(B)/vrouterd
#    and $(B)/vrouterctl are never rebuilt nor rewritten by install.
# No guess at run time: each binary holds the one folder it will use.  A
# stamp per build holds its folder, and rebuilds its two objects when the
# folder changes (the tree moved, or another PREFIX).
TEMPLATE_DIR	:= $(DATADIR)/templates
SRC_TEMPLATE_DIR := $(CURDIR)/templates
IB		:= $(B)/install-objs
VR_TMPL_OBJS	:= $(B)/daemon/vrouterd.o $(B)/ctl/vrouterctl.o
$(VR_TMPL_OBJS): CPPFLAGS += -DTEMPLATE_DIR='"$(SRC_TEMPLATE_DIR)"'
$(VR_TMPL_OBJS): $(B)/.template-dir
$(B)/.template-dir: vr-always
	@mkdir -p $(@D)
	@echo '$(SRC_TEMPLATE_DIR)' | cmp -s - $@ || echo '$(SRC_TEMPLATE_DIR)' >$@
$(IB)/daemon/vrouterd.o $(IB)/ctl/vrouterctl.o: $(IB)/%.o: %.c $(IB)/.template-dir
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(INC.$(<D)) \
	    -DTEMPLATE_DIR='"$(TEMPLATE_DIR)"' $(ALL_CFLAGS) \
	    -MMD -MP -c -o $@ $<
$(IB)/.template-dir: vr-always
	@mkdir -p $(@D)
	@echo '$(TEMPLATE_DIR)' | cmp -s - $@ || echo '$(TEMPLATE_DIR)' >$@
$(IB)/vrouterd: $(patsubst $(B)/daemon/vrouterd.o,$(IB)/daemon/vrouterd.o,$(VRD_LINK))
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VRD_LDLIBS)
$(IB)/vrouterctl: $(patsubst $(B)/ctl/vrouterctl.o,$(IB)/ctl/vrouterctl.o,$(CTL_LINK))
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CTL_LDLIBS)
.PHONY: vr-always
vr-always:

# vrouterd and vrouterctl come from $(IB), the others from $(B).
VR_INSTALL_BINS	 = $(IB)/vrouterd $(IB)/vrouterctl \
		   $(addprefix $(B)/,vrouter-hostd vrouter-notify vrouter-vsp) \
		   $(filter $(B)/vrouter-ofnat,$(BINS))
VR_MAN8		 = docs/vrouterd.8 docs/vrouter-hostd.8 docs/vrouter-notify.8 \
		   docs/vrouterctl.8 docs/vrouter-vsp.8 \
		   $(if $(filter $(B)/vrouter-ofnat,$(BINS)),docs/vrouter-ofnat.8)
VR_MAN5		 = docs/router.json.5
VR_EXAMPLES	 = $(wildcard etc/*.example) \
		   hostagent/ganeti/ganeti-hook.conf.example
VR_DOCS		 = $(wildcard docs/*.md)
VR_SCHEMAS	 = $(wildcard docs/schema/*.json)
VR_UNITS	 = etc/systemd/vrouterd.service etc/systemd/vrouter-hostd.service \
		   $(if $(filter $(B)/vrouter-ofnat,$(BINS)),etc/systemd/vrouter-ofnat.service)
# The /usr/local paths of a source file become PREFIX's.  /etc/vrouter is
# compiled in, so SYSCONFDIR only says where install creates it.
VR_SED		 = sed -e 's|/usr/local/share/vrouter/templates|$(TEMPLATE_DIR)|g' \
		   -e 's|/usr/local/sbin|$(SBINDIR)|g' \
		   -e 's|/usr/local/lib/vrouter|$(VR_LIBDIR)|g' \
		   -e 's|/usr/local/share/doc/vrouter|$(DOCDIR)|g'

install: all $(IB)/vrouterd $(IB)/vrouterctl
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(VR_LIBDIR) \
	    $(DESTDIR)$(TEMPLATE_DIR) $(DESTDIR)$(DOCDIR)/examples \
	    $(DESTDIR)$(DOCDIR)/schema \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(SYSUSERSDIR)
	install -m 755 $(VR_INSTALL_BINS) $(DESTDIR)$(SBINDIR)/
	install -m 644 templates/*.mustache $(DESTDIR)$(TEMPLATE_DIR)/
	install -m 644 $(VR_EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 $(VR_DOCS) $(DESTDIR)$(DOCDIR)/
	install -m 644 $(VR_SCHEMAS) $(DESTDIR)$(DOCDIR)/schema/
	install -m 755 hostagent/ganeti/vrouter-hook $(DESTDIR)$(VR_LIBDIR)/
	install -m 755 etc/systemd/vrouterd-stop $(DESTDIR)$(VR_LIBDIR)/
	sed 's|^libdir=/usr/local/lib/vrouter$$|libdir=$(VR_LIBDIR)|' \
	    hostagent/ganeti/install-hooks >$(DESTDIR)$(VR_LIBDIR)/install-hooks
	chmod 755 $(DESTDIR)$(VR_LIBDIR)/install-hooks
	for f in $(VR_MAN8); do \
	    $(VR_SED) $$f >$(DESTDIR)$(MANDIR)/man8/$${f##*/} || exit 1; \
	    chmod 644 $(DESTDIR)$(MANDIR)/man8/$${f##*/}; done
	for f in $(VR_MAN5); do \
	    $(VR_SED) $$f >$(DESTDIR)$(MANDIR)/man5/$${f##*/} || exit 1; \
	    chmod 644 $(DESTDIR)$(MANDIR)/man5/$${f##*/}; done
	for f in $(VR_UNITS); do \
	    $(VR_SED) $$f >$(DESTDIR)$(UNITDIR)/$${f##*/} || exit 1; \
	    chmod 644 $(DESTDIR)$(UNITDIR)/$${f##*/}; done
	$(VR_SED) etc/tmpfiles/vrouter.conf \
	    >$(DESTDIR)$(TMPFILESDIR)/vrouter.conf
	chmod 644 $(DESTDIR)$(TMPFILESDIR)/vrouter.conf
	install -m 644 etc/tmpfiles/vrouter-ganeti.conf $(DESTDIR)$(TMPFILESDIR)/
	install -m 644 etc/sysusers/vrouter.conf $(DESTDIR)$(SYSUSERSDIR)/
	install -d -m 755 $(DESTDIR)$(SYSCONFDIR)/vrouter
	install -d -m 755 $(DESTDIR)$(SYSCONFDIR)/vrouter/hostd.d
