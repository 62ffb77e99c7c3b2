/*
 * The release, one for every binary and package: the VERSION file at the
 * top of the tree, compiled into version.c alone (lib/module.mk), so a new
 * version rebuilds one object.
 */
#ifndef VR_VERSION_H
#define VR_VERSION_H

#include <getopt.h>

extern const char	vrouter_version[];

/*
 * The long options every binary takes, for getopt_long: --help as 'h' and
 * --version as 'V', ended by a zero entry.  A binary with long options of
 * its own lists these two in its table instead.
 */
extern const struct option	version_longopts[];

/*
 * -V and --version: print "NAME VERSION" on standard output.  Returns the
 * exit status: 0, or 1 when standard output could not be written.
 */
int	version_print(const char *name);

#endif
