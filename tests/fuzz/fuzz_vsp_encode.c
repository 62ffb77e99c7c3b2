/*
 * Fuzz target for vsp_encode: builds a struct vsp_msg field by field from
 * the input (counts may run one past their maxima, names past 32 bytes,
 * enums past their ends) and encodes it into a buffer whose size the input
 * also chooses, allocated to exactly that size so ASan sees any overrun.
 *
 * Oracles (abort() when one fails):
 *  - vsp_encode accepts exactly the messages the protocol's rules allow
 *    (vsp_oracle.c): it promises to refuse anything the decoder would
 *    reject, so peers only ever see valid frames;
 *  - a refused message fails with EINVAL, never ERANGE, in a buffer of
 *    VSP_MAX_FRAME bytes: every valid message fits in one;
 *  - an accepted message decodes back to the same message, with version
 *    VSP_VERSION, no flags and the right length, whatever version, flags
 *    and length the caller left in msg->hdr;
 *  - in a smaller buffer the encoder succeeds with the same bytes if they
 *    fit, and fails with ERANGE if not.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vsp.h"
#include "vsp_oracle.h"

struct input {
	const uint8_t	*p;
	size_t		 len;
};

/* The next byte of input; zero once it has run out. */
static uint8_t
byte(struct input *in)
{
	if (in->len == 0)
		return 0;
	in->len--;
	return *in->p++;
}

static uint64_t
bytes(struct input *in, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | byte(in);
	return v;
}

/* A name of 0..35 bytes: up to 32 NUL-terminated, longer fills all 33. */
static void
name(struct input *in, char *out)
{
	size_t	 i, n = byte(in) % (VSP_NAME_LEN + 4);

	memset(out, 0, VSP_NAME_LEN + 1);
	for (i = 0; i < n && i < VSP_NAME_LEN + 1; i++)
		out[i] = (char)byte(in);
}

static void
build(struct input *in, struct vsp_msg *m)
{
	struct vsp_state_msg *s = &m->u.state;
	struct vsp_ack_msg *a = &m->u.ack;
	size_t	 i;

	memset(m, 0, sizeof(*m));
	m->hdr.type = byte(in);
	m->hdr.version = byte(in);	/* all three ignored by the encoder */
	m->hdr.flags = (uint16_t)bytes(in, 2);
	m->hdr.length = (uint32_t)bytes(in, 4);
	m->hdr.seq = (uint32_t)bytes(in, 4);
	m->hdr.epoch = bytes(in, 8);
	switch (m->hdr.type) {
	case VSP_HELLO:
		m->u.hello.min_version = byte(in);
		m->u.hello.max_version = byte(in);
		name(in, m->u.hello.host);
		break;
	case VSP_STATE:
		name(in, s->router_id);
		s->ngroups = byte(in) % (VSP_MAX_GROUPS + 2);
		s->naddrs = (uint16_t)(bytes(in, 2) % (VSP_MAX_ADDRS + 2));
		for (i = 0; i < s->ngroups && i < VSP_MAX_GROUPS; i++) {
			name(in, s->groups[i].name);
			s->groups[i].kind = byte(in);
			s->groups[i].state = byte(in);
			s->groups[i].priority = byte(in);
		}
		for (i = 0; i < s->naddrs && i < VSP_MAX_ADDRS; i++) {
			s->addrs[i].addr = (uint32_t)bytes(in, 4);
			s->addrs[i].plen = byte(in);
			s->addrs[i].state = byte(in);
			s->addrs[i].group = byte(in);
		}
		break;
	case VSP_ACK:
		a->acked_seq = (uint32_t)bytes(in, 4);
		a->acked_epoch = bytes(in, 8);
		a->nresults = (uint16_t)(bytes(in, 2) % (VSP_MAX_ADDRS + 2));
		for (i = 0; i < a->nresults && i < VSP_MAX_ADDRS; i++) {
			a->results[i].addr = (uint32_t)bytes(in, 4);
			a->results[i].result = byte(in);
			a->results[i].reason = byte(in);
		}
		break;
	case VSP_YIELD:
		m->u.yield.request = (uint32_t)bytes(in, 4);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vsp_msg	 m, back;
	static uint8_t		 frame[VSP_MAX_FRAME];
	struct input		 in = { data, size };
	uint8_t			*small;
	size_t			 smallsz;
	ssize_t			 n, n2;
	int			 valid;

	smallsz = (size_t)bytes(&in, 2) % (VSP_MAX_FRAME + 1);
	build(&in, &m);
	valid = oracle_msg_valid(&m);

	errno = 0;
	n = vsp_encode(frame, sizeof(frame), &m);
	if (n == -1) {
		if (valid)
			oracle_fail("encoder refused a valid message");
		if (errno != EINVAL)
			oracle_fail("encoder refused a message without EINVAL");
	} else {
		if (!valid)
			oracle_fail("encoder accepted a message against the "
			    "rules");
		if (n < VSP_HDR_LEN || n > VSP_MAX_FRAME)
			oracle_fail("encoded length out of range");
		if (vsp_decode(frame, (size_t)n, &back) == -1)
			oracle_fail("encoded frame does not decode");
		if (back.hdr.version != VSP_VERSION || back.hdr.flags != 0 ||
		    back.hdr.length != (size_t)n - VSP_HDR_LEN)
			oracle_fail("encoded header is wrong");
		if (!oracle_msg_equal(&m, &back))
			oracle_fail("encoded frame decodes to another message");
	}

	/* Exactly smallsz bytes, so that ASan sees a write past the end. */
	if ((small = malloc(smallsz > 0 ? smallsz : 1)) == NULL)
		oracle_fail("out of memory");
	errno = 0;
	n2 = vsp_encode(small, smallsz, &m);
	if (n == -1 && n2 != -1)
		oracle_fail("encoder accepted in a small buffer what it "
		    "refused in a big one");
	if (n != -1 && (size_t)n <= smallsz &&
	    (n2 != n || memcmp(small, frame, (size_t)n) != 0))
		oracle_fail("encoding differs with the buffer size");
	if (n != -1 && (size_t)n > smallsz && (n2 != -1 || errno != ERANGE))
		oracle_fail("encoder did not refuse a short buffer with "
		    "ERANGE");
	free(small);
	return 0;
}
