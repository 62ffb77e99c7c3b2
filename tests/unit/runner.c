/*
 * The one runner for every unit suite.  With an argument, runs only the
 * suite of that name (e.g. "runner vsp_codec").
 */
#include <stdlib.h>
#include <string.h>

#include "suites.h"

static const struct {
	const char	*name;
	Suite		*(*make)(void);
} suites[] = {
	{ "vsp_codec", vsp_codec_suite },
	{ "vsp_stream", vsp_stream_suite },
	{ "vsp_guest", vsp_guest_suite },
	{ "registry", registry_suite },
	{ "ctl_frame", ctl_frame_suite },
	{ "ctl_server", ctl_server_suite },
	{ "fifo_parse", fifo_parse_suite },
	{ "proc", proc_suite },
	{ "mustache", mustache_suite },
	{ "config", config_suite },
	{ "nat_table", nat_table_suite },
	{ "packet", packet_suite },
	{ "ofp", ofp_suite },
	{ "ctstats", ctstats_suite },
	{ "nat_jumps", nat_jumps_suite },
	{ "host_state", host_state_suite },
	{ "routes_plan", routes_plan_suite },
	{ "psmsg", psmsg_suite },
	{ "kmirror", kmirror_suite },
	{ "ratelimit", ratelimit_suite },
	{ "kroute", kroute_suite },
	{ "log", log_suite },
	{ "prom", prom_suite },
	{ "prio", prio_suite },
	{ "adopt", adopt_suite },
	{ "ofconn_policy", ofconn_policy_suite },
};

int
main(int argc, char *argv[])
{
	SRunner	*sr = NULL;
	size_t	 i;
	int	 failed;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (argc > 1 && strcmp(argv[1], suites[i].name) != 0)
			continue;
		if (sr == NULL)
			sr = srunner_create(suites[i].make());
		else
			srunner_add_suite(sr, suites[i].make());
	}
	if (sr == NULL)
		return 2;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
