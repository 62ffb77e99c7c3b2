/*
 * Control-socket frames as the server reads them: a byte stream cut into
 * length-prefixed JSON frames by ctl_frame_decode_max, each request's
 * envelope checked by ctl_request_cmd.
 *
 * Input: byte 0 picks the size cap (bits 0-1: CTL_MAX_REQ, CTL_MAX_MSG, 64,
 * 0) and the allow-list (bit 2: a read-only socket's); the rest is the
 * stream.  Besides "no crash", it checks that the decoder consumes exactly
 * the frame its header announces, says "need more" exactly when a whole
 * frame is not there yet (and for every shorter prefix), refuses a length
 * over the cap from the header alone, returns only objects, and that what
 * it returns encodes to a frame that decodes to an equal object; and that
 * the envelope check accepts exactly version 1 with a "cmd" string on the
 * allow-list.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "fuzz.h"

static const char *const allow_ro[] = { "status", "vm.list", NULL };

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
check_envelope(json_t *req, const char *const *allow)
{
	json_t		*v = json_object_get(req, "v");
	const char	*want = json_string_value(json_object_get(req, "cmd"));
	const char	*cmd, *const *a;
	char		 err[256];
	int		 ok;

	ok = json_is_integer(v) && json_integer_value(v) == CTL_VERSION &&
	    want != NULL;
	if (ok && allow != NULL) {
		for (a = allow; *a != NULL; a++)
			if (strcmp(*a, want) == 0)
				break;
		ok = *a != NULL;
	}
	err[0] = '\0';
	cmd = ctl_request_cmd(req, allow, err, sizeof(err));
	if (ok != (cmd != NULL))
		abort();
	if (cmd != NULL && cmd != want)
		abort();	/* the name is req's own string */
	if (cmd == NULL && err[0] == '\0')
		abort();	/* every refusal says why */
}

/* obj encodes to one frame that decodes back to an equal object. */
static void
check_round_trip(json_t *obj)
{
	json_t	*back = NULL;
	char	*frame;
	size_t	 len, used;

	if (ctl_frame_encode(obj, &frame, &len) == -1) {
		/* Only a text over the cap may be refused. */
		if (errno != EMSGSIZE)
			abort();
		return;
	}
	if (len < 4 || be32((uint8_t *)frame) != len - 4)
		abort();
	if (ctl_frame_decode(frame, len, &back, &used) != 1 || used != len ||
	    !json_equal(obj, back))
		abort();
	json_decref(back);
	free(frame);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 caps[] = { CTL_MAX_REQ, CTL_MAX_MSG, 64, 0 };
	const char *const	*allow;
	const uint8_t		*p;
	json_t			*obj, *none;
	size_t			 max, left, used, used2;
	uint32_t		 mlen;
	int			 rv;

	if (size < 1)
		return 0;
	max = caps[data[0] & 3];
	allow = data[0] & 4 ? allow_ro : NULL;
	p = data + 1;
	left = size - 1;
	for (;;) {
		obj = json_null();	/* must be cleared */
		used = 0;
		rv = ctl_frame_decode_max(p, left, max, &obj, &used);
		if (rv != 1 && obj != NULL)
			abort();
		if (left < 4) {
			if (rv != 0)
				abort();
			break;
		}
		mlen = be32(p);
		if (mlen > max || mlen > CTL_MAX_MSG) {
			if (rv != -1 || errno != EMSGSIZE)
				abort();
			break;
		}
		if ((size_t)mlen + 4 > left) {
			if (rv != 0)
				abort();
			break;
		}
		if (rv == -1) {
			if (errno != EBADMSG)
				abort();
			break;
		}
		if (rv != 1 || used != (size_t)mlen + 4 || !json_is_object(obj))
			abort();
		/* Any shorter prefix is "need more". */
		none = obj;
		used2 = 0;
		if (ctl_frame_decode_max(p, used - 1, max, &none, &used2) != 0 ||
		    none != NULL || used2 != 0)
			abort();
		check_envelope(obj, allow);
		check_round_trip(obj);
		json_decref(obj);
		p += used;
		left -= used;
	}
	return 0;
}
