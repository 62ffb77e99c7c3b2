/*
 * The version string lives here so that only this object depends on the
 * VERSION file (lib/module.mk passes it as VROUTER_VERSION).
 */
#include <stdio.h>

#include "version.h"

#ifndef VROUTER_VERSION
#error "VROUTER_VERSION is set by lib/module.mk from the VERSION file"
#endif

const char	vrouter_version[] = VROUTER_VERSION;

const struct option	version_longopts[] = {
	{ "help",	no_argument,	NULL,	'h' },
	{ "version",	no_argument,	NULL,	'V' },
	{ NULL,		0,		NULL,	0 }
};

int
version_print(const char *name)
{
	printf("%s %s\n", name, vrouter_version);
	/* A version that did not reach a closed pipe is a failure. */
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
