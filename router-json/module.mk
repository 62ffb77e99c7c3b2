# router-json: the router description (router.json, docs/router-json.md)
# and the templates rendered from it, for every program that reads one:
# vrouterd, vrouterctl, vrouter-ofnat, the tests and fuzzers.  It needs
# lib/ alone, and the Makefile reads it before any of its users.
INC.router-json := -Irouter-json -Ilib

# The description: parse, check, the template view.
CONF_SRCS := router-json/config.c router-json/config_json.c \
	     router-json/config_check.c router-json/config_view.c
CONF_OBJS := $(CONF_SRCS:%.c=$(B)/%.o)
# render_template: a template rendered with a view (lib's mustache.o).
RENDER_SRCS := router-json/render.c
RENDER_OBJS := $(RENDER_SRCS:%.c=$(B)/%.o)
