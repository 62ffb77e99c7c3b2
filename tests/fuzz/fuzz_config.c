/*
 * router.json: any bytes through json_loadb, config_from_json and
 * config_view.
 *
 * Oracles (abort() when one fails):
 *  - every refusal says why: the message is not empty;
 *  - an accepted router always gets a view;
 *  - every string in the view is safe to write unquoted into
 *    keepalived.conf, conntrackd.conf and iptables-restore input: only
 *    A-Z a-z 0-9 _ . - / : (no blank, brace, quote, '#' or '!');
 *  - the view's advert_int is advert_ms in seconds, exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

#define SAFE	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
		"0123456789_.-/:"

static void
check_safe(json_t *j)
{
	const char	*key, *s;
	json_t		*v;
	size_t		 i;

	if (json_is_object(j)) {
		json_object_foreach(j, key, v)
			check_safe(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			check_safe(v);
	} else if ((s = json_string_value(j)) != NULL) {
		if (strspn(s, SAFE) != strlen(s))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct router_conf conf;
	json_t		*root, *view;
	const char	*ai;
	char		 err[256], want[16];

	root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
	if (root == NULL)
		return 0;
	err[0] = '\0';
	if (config_from_json(root, &conf, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
		json_decref(root);
		return 0;
	}
	if ((view = config_view(&conf, "/run/vrouter")) == NULL)
		abort();
	check_safe(view);
	ai = json_string_value(json_object_get(view, "advert_int"));
	snprintf(want, sizeof(want), "%.2f", conf.advert_ms / 1000.0);
	if (ai == NULL || strtod(ai, NULL) != strtod(want, NULL))
		abort();
	json_decref(view);
	json_decref(root);
	return 0;
}
