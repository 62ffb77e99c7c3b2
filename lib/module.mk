# lib: what more than one binary needs.
LIB_SRCS := lib/log.c
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
