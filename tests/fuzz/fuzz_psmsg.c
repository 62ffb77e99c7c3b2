/*
 * psmsg records, as each process of vrouter-hostd decodes what the other
 * sends: whatever decodes must encode back to the same bytes, and every
 * field must be in range.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "psmsg.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct psm_msg	 m, again;
	uint8_t		 buf[PSM_MAX];
	ssize_t		 len;
	size_t		 i;

	if (psm_decode(data, size, &m) == -1)
		return 0;
	if ((len = psm_encode(buf, sizeof(buf), &m)) == -1 ||
	    (size_t)len != size || memcmp(buf, data, size) != 0)
		abort();
	if (psm_decode(buf, (size_t)len, &again) == -1)
		abort();
	if (m.type == PSM_YIELD && m.u.yield.request == 0)
		abort();
	if (m.type == PSM_STATE) {
		if (m.u.state.nclaims > REG_MAX_ADDRS)
			abort();
		for (i = 0; i < m.u.state.nclaims; i++)
			if (m.u.state.claims[i].state >= VSP_ST_MAX)
				abort();
	}
	return 0;
}
