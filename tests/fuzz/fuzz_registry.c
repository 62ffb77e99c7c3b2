/*
 * hostd registrations from JSON: whatever is accepted must survive a round
 * trip through reg_to_json unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "registry.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vm_reg	 a, b;
	json_t		*obj, *back;
	char		 err[256];

	obj = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    NULL);
	if (obj == NULL)
		return 0;
	if (reg_from_json(obj, &a, err, sizeof(err)) == 0) {
		back = reg_to_json(&a);
		if (reg_from_json(back, &b, err, sizeof(err)) != 0 ||
		    memcmp(&a, &b, sizeof(a)) != 0)
			abort();
		json_decref(back);
	} else if (err[0] == '\0')
		abort();	/* every refusal says why */
	json_decref(obj);
	return 0;
}
