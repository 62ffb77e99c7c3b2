/* Who may be the switch: see ofconn_policy.h.  Pure. */
#include "ofconn_policy.h"
#include "ofp.h"

static const char *const refusal_names[OFCONN_REF_MAX] = {
	[OFCONN_REF_BAD_HELLO] = "bad_hello",
	[OFCONN_REF_TIMEOUT] = "timeout",
	[OFCONN_REF_OTHER_DP] = "other_datapath",
	[OFCONN_REF_HEALTHY] = "live_healthy",
	[OFCONN_REF_OVER_CAP] = "over_cap",
	[OFCONN_REF_CLOSED] = "closed",
};

const char *
ofconn_refusal_name(enum ofconn_refusal r)
{
	if ((unsigned int)r >= OFCONN_REF_MAX)
		return "unknown";
	return refusal_names[r];
}

enum ofconn_cand_act
ofconn_cand_input(enum ofconn_cand_state st, const void *msg, size_t len,
    uint64_t *dpid)
{
	struct ofp_header	 h;
	struct ofp_hello	 hello;
	struct ofp_features	 feat;

	if (ofp_decode_header(msg, len, &h) == -1)
		return OFCONN_ACT_BAD;
	if (st == OFCONN_CAND_HELLO) {
		/* The first message must be a HELLO we can agree on. */
		if (h.type != OFPT_HELLO ||
		    ofp_decode_hello(msg, len, &hello) == -1 ||
		    ofp_hello_negotiate(&hello) != OFP_VERSION)
			return OFCONN_ACT_BAD;
		return OFCONN_ACT_HELLO;
	}
	/* Negotiated 1.3: every later header says so. */
	if (h.version != OFP_VERSION)
		return OFCONN_ACT_BAD;
	switch (h.type) {
	case OFPT_ECHO_REQUEST:
		return OFCONN_ACT_ECHO;
	case OFPT_FEATURES_REPLY:
		if (ofp_decode_features_reply(msg, len, &feat) == -1)
			return OFCONN_ACT_BAD;
		*dpid = feat.datapath_id;
		return OFCONN_ACT_FEATURES;
	case OFPT_HELLO:
	case OFPT_ERROR:
		return OFCONN_ACT_BAD;
	}
	/* Asynchronous messages (PACKET_IN, PORT_STATUS, ...) are not
	 * trusted before the datapath is known; PORT_DESC refreshes ports. */
	return OFCONN_ACT_IGNORE;
}

int
ofconn_stale(const struct ofconn_live *l, uint64_t now_ms)
{
	return now_ms >= l->last_rx_ms &&
	    now_ms - l->last_rx_ms >= OFCONN_STALE_MS;
}

enum ofconn_verdict
ofconn_decide(const struct ofconn_live *l, uint64_t dpid, uint64_t now_ms)
{
	if (!l->present)
		return OFCONN_TAKE;
	if (l->dpid != dpid)
		return OFCONN_REFUSE_OTHER_DP;
	return ofconn_stale(l, now_ms) ? OFCONN_REPLACE :
	    OFCONN_REFUSE_HEALTHY;
}
