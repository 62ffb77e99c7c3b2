# router-json: the router description (router.json, docs/router-json.md)
# for every program that reads one: vrouterd, vrouterctl, vrouter-ofnat,
# the tests and fuzzers.  It needs lib/ alone, and the Makefile reads it
# before any of its users.
CONF_SRCS := router-json/config.c router-json/config_json.c \
	     router-json/config_check.c router-json/config_view.c
CONF_OBJS := $(CONF_SRCS:%.c=$(B)/%.o)
