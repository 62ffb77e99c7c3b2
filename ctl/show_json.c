/* vrouterctl -j: the reply object without its envelope, one per line. */
#include <stdio.h>

#include "vrouterctl.h"

void
show_json(json_t *reply)
{
	json_t	*copy = json_copy(reply);

	json_object_del(copy, "v");
	json_object_del(copy, "ok");
	json_dumpf(copy, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(copy);
}
