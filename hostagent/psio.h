/*
 * psio: one end of the socketpair between vrouter-hostd's processes.
 * Records go out at once when the socket takes them and wait in a bounded
 * queue when it does not (the write event is armed only then); records
 * come in a bounded number per loop turn, each decoded and checked by
 * psm_decode() before the callback sees it.
 */
#ifndef VR_PSIO_H
#define VR_PSIO_H

#include <event2/event.h>

#include "psmsg.h"

#define PS_QUEUE_MAX	16384	/* records waiting; more: the peer is wedged */
#define PS_PER_TURN	64	/* records read per loop turn */

struct ps_peer;

/*
 * on_msg gets each valid record and the descriptor it carried (-1 if
 * none), which it then owns.  on_close runs once, when the peer closed,
 * sent a malformed record, or the queue overflowed; after it the caller
 * frees the peer.  fd is the socket; the peer owns it.
 */
struct ps_peer	*ps_peer_new(struct event_base *, int fd,
		    void (*on_msg)(const struct psm_msg *, int, void *),
		    void (*on_close)(const char *why, void *), void *arg);
void		 ps_peer_free(struct ps_peer *);
/*
 * Send m, with fd attached unless it is -1.  The peer takes fd and closes
 * it once sent.  -1 if m does not encode, or if the queue is full.
 */
int		 ps_peer_send(struct ps_peer *, const struct psm_msg *, int fd);
size_t		 ps_peer_queued(const struct ps_peer *);

#endif
