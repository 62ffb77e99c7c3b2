# openflow: the OpenFlow 1.3 wire codec (pure; docs/openflow.md).  The
# controller's own sources and binary go below the codec's lines.
CPPFLAGS += -Iopenflow
OFP_SRCS := openflow/ofp_msg.c openflow/ofp_match.c openflow/ofp_action.c \
	    openflow/ofp_flow.c
OFP_OBJS := $(OFP_SRCS:%.c=$(B)/%.o)
