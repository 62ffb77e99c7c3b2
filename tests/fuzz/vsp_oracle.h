/*
 * What the vsp fuzz targets check decoded and encoded messages against:
 * the protocol's rules, written here apart from the codec so that a rule
 * the codec forgets (in both directions at once) is still caught.
 */
#ifndef VR_VSP_ORACLE_H
#define VR_VSP_ORACLE_H

#include "vsp.h"

/* Print "vsp oracle: why" and abort(): how a target reports a failure. */
void	oracle_fail(const char *why) __attribute__((noreturn));

/*
 * 1 if the type and payload of m are ones a peer may send: a known type,
 * known enum values, names of 1..32 graphic ASCII bytes (a HELLO host may
 * be empty), counts within the maxima, group indexes inside the group
 * table or 0xff, no address claimed twice, min_version <= max_version.
 * hdr.version, flags and length are the codec's business and not looked at.
 */
int	oracle_msg_valid(const struct vsp_msg *m);

/* 1 if a and b have the same type, seq, epoch and payload. */
int	oracle_msg_equal(const struct vsp_msg *a, const struct vsp_msg *b);

#endif
