/*
 * A switch candidate's handshake (openflow/ofconn_policy.c): the input is
 * what a client sends on the OpenFlow port, framed by ofp_header_check at
 * the candidate's 4 KiB cap as ofconn.c frames it, each message through
 * ofconn_cand_input as ofconn.c walks the states.  Oracle, besides "no
 * crash": a HELLO is accepted only first and only with 1.3 in common; a
 * FEATURES_REPLY is the only way to a datapath, only after the HELLO, and
 * the datapath is the one the message holds; nothing else sets it; the
 * takeover rule never lets another datapath displace a live switch.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "ofconn_policy.h"
#include "ofp.h"

#define CAND_RBUF	4096
#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static uint64_t
get64(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum ofconn_cand_state	 st = OFCONN_CAND_HELLO;
	struct ofconn_live	 live;
	struct ofp_hello	 hello;
	uint64_t		 dpid;
	size_t			 off = 0, mlen;
	const uint8_t		*m;

	for (;;) {
		if (ofp_header_check(data + off, size - off, CAND_RBUF,
		    &mlen) != OFP_SCAN_FRAME)
			return 0;	/* need more, or closed: bad framing */
		CHECK(mlen >= OFP_HEADER_LEN && mlen <= CAND_RBUF &&
		    mlen <= size - off);
		m = data + off;
		dpid = 0x5eed;
		switch (ofconn_cand_input(st, m, mlen, &dpid)) {
		case OFCONN_ACT_HELLO:
			CHECK(st == OFCONN_CAND_HELLO && m[1] == OFPT_HELLO);
			CHECK(ofp_decode_hello(m, mlen, &hello) == 0 &&
			    ofp_hello_negotiate(&hello) == OFP_VERSION);
			CHECK(dpid == 0x5eed);
			st = OFCONN_CAND_FEATURES;
			break;
		case OFCONN_ACT_FEATURES:
			CHECK(st == OFCONN_CAND_FEATURES && m[0] == OFP_VERSION &&
			    m[1] == OFPT_FEATURES_REPLY && mlen >= 16);
			CHECK(dpid == get64(m + 8));
			/* The rule, against a live switch of another
			 * datapath at any age. */
			live.present = 1;
			live.dpid = dpid ^ 1;
			live.last_rx_ms = 0;
			CHECK(ofconn_decide(&live, dpid, get64(m + 8) >> 16) ==
			    OFCONN_REFUSE_OTHER_DP);
			live.present = 0;
			CHECK(ofconn_decide(&live, dpid, 0) == OFCONN_TAKE);
			return 0;	/* a switch now: not a candidate */
		case OFCONN_ACT_ECHO:
			CHECK(st == OFCONN_CAND_FEATURES &&
			    m[1] == OFPT_ECHO_REQUEST && dpid == 0x5eed);
			break;
		case OFCONN_ACT_IGNORE:
			CHECK(st == OFCONN_CAND_FEATURES && dpid == 0x5eed &&
			    m[1] != OFPT_HELLO && m[1] != OFPT_FEATURES_REPLY &&
			    m[1] != OFPT_ERROR);
			break;
		case OFCONN_ACT_BAD:
			CHECK(dpid == 0x5eed);
			return 0;	/* closed */
		default:
			abort();
		}
		off += mlen;
	}
}
