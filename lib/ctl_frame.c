/*
 * Control message framing: a length prefix so that a reader never has to
 * guess where a JSON object ends, and a size cap checked before anything
 * is allocated.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/*
 * Encode obj as one frame into a new buffer *out (the caller frees it).
 * Returns 0 or -1 with errno (EMSGSIZE when too large).
 */
int
ctl_frame_encode(json_t *obj, char **out, size_t *outlen)
{
	char	*text, *buf;
	size_t	 len;

	if ((text = json_dumps(obj, JSON_COMPACT)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	len = strlen(text);
	if (len > CTL_MAX_MSG) {
		free(text);
		errno = EMSGSIZE;
		return -1;
	}
	if ((buf = malloc(len + 4)) == NULL) {
		free(text);
		return -1;
	}
	buf[0] = (char)(len >> 24);
	buf[1] = (char)(len >> 16);
	buf[2] = (char)(len >> 8);
	buf[3] = (char)len;
	memcpy(buf + 4, text, len);
	free(text);
	*out = buf;
	*outlen = len + 4;
	return 0;
}

int
ctl_frame_decode(const void *data, size_t len, json_t **obj, size_t *used)
{
	return ctl_frame_decode_max(data, len, CTL_MAX_MSG, obj, used);
}

int
ctl_frame_decode_max(const void *data, size_t len, size_t max, json_t **obj,
    size_t *used)
{
	const uint8_t	*p = data;
	json_error_t	 jerr;
	uint32_t	 mlen;

	*obj = NULL;
	if (len < 4)
		return 0;
	mlen = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	if (mlen > max || mlen > CTL_MAX_MSG) {
		errno = EMSGSIZE;
		return -1;
	}
	if (len - 4 < mlen)
		return 0;
	*obj = json_loadb((const char *)p + 4, mlen,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (*obj == NULL || !json_is_object(*obj)) {
		json_decref(*obj);
		*obj = NULL;
		errno = EBADMSG;
		return -1;
	}
	*used = 4 + mlen;
	return 1;
}

const char *
ctl_request_cmd(json_t *req, const char *const *allow, char *err,
    size_t errlen)
{
	json_t		*v = json_object_get(req, "v");
	const char	*cmd = json_string_value(json_object_get(req, "cmd"));
	const char *const *a;

	if (!json_is_integer(v) || json_integer_value(v) != CTL_VERSION) {
		snprintf(err, errlen, "unsupported request version");
		return NULL;
	}
	if (cmd == NULL) {
		snprintf(err, errlen, "request has no \"cmd\" string");
		return NULL;
	}
	if (allow == NULL)
		return cmd;
	for (a = allow; *a != NULL; a++)
		if (strcmp(*a, cmd) == 0)
			return cmd;
	snprintf(err, errlen, "%s: not allowed on the read-only socket", cmd);
	return NULL;
}

json_t *
ctl_reply_ok(void)
{
	return json_pack("{s:i, s:b}", "v", CTL_VERSION, "ok", 1);
}

json_t *
ctl_reply_error(const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:i, s:b, s:s}", "v", CTL_VERSION, "ok", 0,
	    "error", msg);
}
