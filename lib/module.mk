# lib: what more than one binary needs.
LIB_SRCS := lib/log.c lib/evglue.c lib/kroute.c lib/ctl_frame.c lib/ctl_server.c \
	    lib/ctl_client.c lib/jsonutil.c lib/nlreq.c lib/proc.c lib/mustache.c \
	    lib/tbucket.c lib/logrl.c lib/prom.c lib/promfile.c
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
