/*
 * Who may be the switch (ofconn.c, docs/ofnat.md "The switch
 * connection").  Pure: no I/O, no logging; the caller passes the
 * messages, the live connection's view and the monotonic time, so the
 * rules are unit-tested (tests/unit/check_ofconn_policy.c).
 *
 * A new TCP connection is only a candidate: it does HELLO (OpenFlow 1.3
 * only) and FEATURES itself, and nothing it says reaches the pipeline.
 * Its FEATURES_REPLY names its datapath, and ofconn_decide says whether
 * it becomes the switch.
 */
#ifndef VR_OFCONN_POLICY_H
#define VR_OFCONN_POLICY_H

#include <stddef.h>
#include <stdint.h>

/* The live switch's keepalive: quiet this long, it is sent an ECHO ... */
#define OFCONN_ECHO_IDLE_MS	5000
/* ... quiet this long (the ECHO unanswered for about 3 s, where a switch
 * answers in milliseconds), a candidate of its datapath may take over ... */
#define OFCONN_STALE_MS		8000
/* ... and quiet this long, it is dropped even with no candidate. */
#define OFCONN_DEAD_MS		15000

/* Why a candidate was closed without becoming the switch. */
enum ofconn_refusal {
	OFCONN_REF_BAD_HELLO,	/* garbage, bad framing or length, not 1.3,
				   a malformed or ERROR reply */
	OFCONN_REF_TIMEOUT,	/* no FEATURES_REPLY by the deadline */
	OFCONN_REF_OTHER_DP,	/* another datapath while one is live */
	OFCONN_REF_HEALTHY,	/* same datapath, the live one answers */
	OFCONN_REF_OVER_CAP,	/* the oldest, evicted by a newer one */
	OFCONN_REF_CLOSED,	/* it closed, an I/O error, a full buffer */
	OFCONN_REF_MAX
};

/* "bad_hello", "timeout", ...: the status and metrics key; static. */
const char	*ofconn_refusal_name(enum ofconn_refusal);

/* A candidate's handshake. */
enum ofconn_cand_state {
	OFCONN_CAND_HELLO,	/* our HELLO sent, waiting for its */
	OFCONN_CAND_FEATURES,	/* FEATURES_REQUEST sent */
};

enum ofconn_cand_act {
	OFCONN_ACT_IGNORE,	/* not part of the handshake: dropped */
	OFCONN_ACT_ECHO,	/* an ECHO_REQUEST: answer it */
	OFCONN_ACT_HELLO,	/* a 1.3 HELLO: send FEATURES_REQUEST */
	OFCONN_ACT_FEATURES,	/* FEATURES_REPLY: *dpid is set, decide */
	OFCONN_ACT_BAD,		/* close it (OFCONN_REF_BAD_HELLO) */
};

/*
 * One whole message from a candidate, as ofp_header_check framed it:
 * what to do with it.  Anything but a HELLO first, a HELLO with no
 * common version, another version in a later header, a malformed
 * FEATURES_REPLY, or an ERROR is OFCONN_ACT_BAD.
 */
enum ofconn_cand_act ofconn_cand_input(enum ofconn_cand_state,
		    const void *msg, size_t len, uint64_t *dpid);

/* What ofconn_decide needs to know of the live switch connection. */
struct ofconn_live {
	int		 present;	/* there is one */
	uint64_t	 dpid;
	uint64_t	 last_rx_ms;	/* the last message from it */
};

enum ofconn_verdict {
	OFCONN_TAKE,		/* no switch: the candidate becomes it */
	OFCONN_REPLACE,		/* same datapath, the live one is stale */
	OFCONN_REFUSE_HEALTHY,	/* same datapath, the live one answers */
	OFCONN_REFUSE_OTHER_DP,	/* another datapath while one is live:
				   one controller drives one bridge */
};

/* 1 if the live switch has been quiet for OFCONN_STALE_MS or more. */
int		 ofconn_stale(const struct ofconn_live *, uint64_t now_ms);
/* A candidate of datapath dpid has finished its handshake at now_ms. */
enum ofconn_verdict ofconn_decide(const struct ofconn_live *, uint64_t dpid,
		    uint64_t now_ms);

#endif
