/*
 * fuzz_nftrule: bytes as one netlink datagram of an nf_tables rule dump,
 * to nat_jumps_parse() (daemon/nat_jumps.c).  Oracle: it ends with 1, 0
 * or -1 (and an errno); it counts
 * at most one jump per rule message (each is 20 bytes or more); it says
 * the same twice; and it reads nothing past the datagram (an exact-size
 * copy, seen by ASan).  Seeds: the kernel's own replies (see
 * tests/unit/check_nat_jumps.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vrouterd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t	*buf;
	int		 rv, rv2, found = 0, found2 = 0, e = 0;

	if (size > 1 << 16)
		return 0;
	/* Aligned as a received datagram is, and exactly size bytes. */
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	errno = 0;
	rv = nat_jumps_parse(buf, size, 0, "VROUTER-PREROUTING", &found);
	if (rv == -1)
		e = errno;
	if (rv < -1 || rv > 1 || (rv == -1 && e == 0))
		abort();
	if (found < 0 || (size_t)found > size / 20)
		abort();
	errno = 0;
	rv2 = nat_jumps_parse(buf, size, 0, "VROUTER-PREROUTING", &found2);
	if (rv2 != rv || found2 != found || (rv == -1 && errno != e))
		abort();
	free(buf);
	return 0;
}
