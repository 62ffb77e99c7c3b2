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

Suite *
ctl_frame_suite(void)
{
	Suite	*s = suite_create("ctl_frame");
	TCase	*tc = tcase_create("frame");

	tcase_add_test(tc, rejects_bad_frames);
	tcase_add_test(tc, round_trip_and_partial);
	suite_add_tcase(s, tc);
	return s;
}
