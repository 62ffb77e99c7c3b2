#ifndef VR_TEST_SUITES_H
#define VR_TEST_SUITES_H

#include <check.h>

Suite	*vsp_codec_suite(void);
Suite	*vsp_stream_suite(void);

#endif
