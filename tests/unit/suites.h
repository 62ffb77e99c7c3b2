#ifndef VR_TEST_SUITES_H
#define VR_TEST_SUITES_H

#include <check.h>

Suite	*vsp_codec_suite(void);
Suite	*vsp_stream_suite(void);
Suite	*vsp_guest_suite(void);
Suite	*registry_suite(void);
Suite	*ctl_frame_suite(void);
Suite	*ctl_server_suite(void);
Suite	*fifo_parse_suite(void);
Suite	*proc_suite(void);
Suite	*mustache_suite(void);
Suite	*config_suite(void);
Suite	*nat_table_suite(void);
Suite	*packet_suite(void);
Suite	*ofp_suite(void);
Suite	*ctstats_suite(void);
Suite	*host_state_suite(void);
Suite	*routes_plan_suite(void);
Suite	*psmsg_suite(void);
Suite	*kmirror_suite(void);
Suite	*ratelimit_suite(void);
Suite	*kroute_suite(void);
Suite	*log_suite(void);
Suite	*prom_suite(void);
Suite	*prio_suite(void);
Suite	*adopt_suite(void);
Suite	*nat_jumps_suite(void);
Suite	*ofconn_policy_suite(void);

#endif
