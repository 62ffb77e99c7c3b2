/* Unit tests for control-socket framing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "suites.h"

START_TEST(rejects_bad_frames)
{
	json_t	*obj = NULL;
	size_t	 used = 0;
	char	 buf[64];

	ck_assert_int_eq(ctl_frame_decode("\0\0", 2, &obj, &used), 0);
	/* Oversized length: refused before anything is buffered. */
	memcpy(buf, "\x00\x10\x00\x01", 4);
	ck_assert_int_eq(ctl_frame_decode(buf, 4, &obj, &used), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	memcpy(buf, "\x00\x00\x00\x05{\"a\":", 9);
	ck_assert_int_eq(ctl_frame_decode(buf, 9, &obj, &used), -1);
	ck_assert_int_eq(errno, EBADMSG);
	memcpy(buf, "\x00\x00\x00\x02[]", 6);
	ck_assert_int_eq(ctl_frame_decode(buf, 6, &obj, &used), -1);
	memcpy(buf, "\x00\x00\x00\x0f{\"a\":1,\"a\":2}  ", 19);
	ck_assert_int_eq(ctl_frame_decode(buf, 19, &obj, &used), -1);
	ck_assert_ptr_null(obj);
}
END_TEST

START_TEST(round_trip_and_partial)
{
	json_t	*in = json_pack("{s:i, s:s}", "v", 1, "cmd", "status");
	json_t	*out = NULL;
	char	*frame;
	size_t	 len, used;

	ck_assert_int_eq(ctl_frame_encode(in, &frame, &len), 0);
	ck_assert_int_eq(ctl_frame_decode(frame, len - 1, &out, &used), 0);
	ck_assert_int_eq(ctl_frame_decode(frame, len, &out, &used), 1);
	ck_assert_uint_eq(used, len);
	ck_assert(json_equal(in, out));
	json_decref(out);
	json_decref(in);
	free(frame);

	out = ctl_reply_error("%s: %d", "x", 3);
	ck_assert_str_eq(json_string_value(json_object_get(out, "error")),
	    "x: 3");
	ck_assert(json_is_false(json_object_get(out, "ok")));
	json_decref(out);
}
END_TEST

START_TEST(decode_max_refuses_from_the_header)
{
	json_t	*obj = (json_t *)1;
	size_t	 used = 0;

	/* 5 bytes of JSON over a cap of 4: known before the body arrives. */
	ck_assert_int_eq(ctl_frame_decode_max("\0\0\0\x05", 4, 4, &obj,
	    &used), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_ptr_null(obj);
	ck_assert_int_eq(ctl_frame_decode_max("\0\0\0\x04{} ", 7, 4, &obj,
	    &used), 0);
	ck_assert_int_eq(ctl_frame_decode_max("\0\0\0\x04{}  ", 8, 4, &obj,
	    &used), 1);
	ck_assert_uint_eq(used, 8);
	json_decref(obj);
}
END_TEST

static const char *const ro[] = { "status", "routes", NULL };

static const struct {
	const char	*json;
	const char	*const *allow;
	const char	*cmd;		/* NULL: refused with err */
	const char	*err;
} envelopes[] = {
	{ "{}", NULL, NULL, "unsupported request version" },
	{ "{\"v\":2,\"cmd\":\"status\"}", NULL, NULL,
	  "unsupported request version" },
	{ "{\"v\":\"1\",\"cmd\":\"status\"}", NULL, NULL,
	  "unsupported request version" },
	{ "{\"v\":1.0,\"cmd\":\"status\"}", NULL, NULL,
	  "unsupported request version" },
	{ "{\"v\":1}", NULL, NULL, "request has no \"cmd\" string" },
	{ "{\"v\":1,\"cmd\":7}", NULL, NULL,
	  "request has no \"cmd\" string" },
	{ "{\"v\":1,\"cmd\":\"reload\"}", ro, NULL,
	  "reload: not allowed on the read-only socket" },
	{ "{\"v\":1,\"cmd\":\"statu\"}", ro, NULL,
	  "statu: not allowed on the read-only socket" },
	{ "{\"v\":1,\"cmd\":\"reload\"}", NULL, "reload", NULL },
	{ "{\"v\":1,\"cmd\":\"routes\",\"x\":[1]}", ro, "routes", NULL },
};

START_TEST(request_envelope)
{
	json_t		*req = json_loads(envelopes[_i].json, 0, NULL);
	const char	*cmd;
	char		 err[128] = "";

	ck_assert_ptr_nonnull(req);
	cmd = ctl_request_cmd(req, envelopes[_i].allow, err, sizeof(err));
	if (envelopes[_i].cmd == NULL) {
		ck_assert_ptr_null(cmd);
		ck_assert_str_eq(err, envelopes[_i].err);
	} else
		ck_assert_str_eq(cmd, envelopes[_i].cmd);
	json_decref(req);
}
END_TEST

Suite *
ctl_frame_suite(void)
{
	Suite	*s = suite_create("ctl_frame");
	TCase	*tc = tcase_create("frame");

	tcase_add_test(tc, rejects_bad_frames);
	tcase_add_test(tc, round_trip_and_partial);
	tcase_add_test(tc, decode_max_refuses_from_the_header);
	tcase_add_loop_test(tc, request_envelope, 0,
	    sizeof(envelopes) / sizeof(envelopes[0]));
	suite_add_tcase(s, tc);
	return s;
}
