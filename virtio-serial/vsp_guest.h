/*
 * The guest end of the channel: keeps the router's full current state and
 * makes sure the host has it.  It resends until the host acks that exact
 * (epoch, seq), and again whenever the host greets it after a reconnect.
 * An ack counts only on the channel connection it came on: it is void as
 * soon as the host goes away, the port is reopened, the host greets again
 * or stops answering the periodic re-announce (docs/protocol.md).
 */
#ifndef VR_VSP_GUEST_H
#define VR_VSP_GUEST_H

#include <event2/event.h>

#include "vsp.h"

struct vsp_guest;

/* What the guest knows of its channel. */
enum vsp_chan {
	VSP_CHAN_CLOSED,	/* the port is not open: not yet, or reopening */
	VSP_CHAN_ABSENT,	/* open, but no host heard on it: EOF, or
				   silence since the open or the last EOF */
	VSP_CHAN_CONNECTED	/* the host spoke on this opening, no EOF since */
};

typedef void	(*vsp_ack_cb)(const struct vsp_ack_msg *, void *arg);
typedef void	(*vsp_yield_cb)(const struct vsp_yield_msg *, void *arg);
typedef void	(*vsp_chan_cb)(enum vsp_chan, int acked, void *arg);

/*
 * Open the port at path (a virtio-serial device or, in the lab, a pty) in
 * base's loop; a port that cannot be opened yet is retried.  on_ack is
 * called for each ack of the current state.  The session is the caller's
 * to vsp_guest_free(), which closes the port.
 */
struct vsp_guest *vsp_guest_new(struct event_base *, const char *path,
		    vsp_ack_cb on_ack, void *arg);
void		 vsp_guest_free(struct vsp_guest *);
/*
 * Replace the current state (copied) and send it with the next seq; where
 * seq would wrap, with epoch + 1 and seq 1 (vsp_seq_next).  -1 with errno
 * EINVAL if the host would reject the state, EOVERFLOW if (epoch, seq)
 * cannot grow.
 */
int		 vsp_guest_set_state(struct vsp_guest *,
		    const struct vsp_state_msg *);
/*
 * Call on_yield (with arg) when the host asks the router to hand over
 * (a YIELD frame).  Without one, a YIELD is dropped: the host sees that
 * nothing changed in the states that follow.
 */
void		 vsp_guest_on_yield(struct vsp_guest *, vsp_yield_cb on_yield,
		    void *arg);
/*
 * Call on_chan (with arg) whenever vsp_guest_channel() or
 * vsp_guest_acked() changes, with their new values; a lost ack is
 * reported only here (on_ack reports each new one too).
 */
void		 vsp_guest_on_channel(struct vsp_guest *, vsp_chan_cb on_chan,
		    void *arg);
/* 1 when the host acked the current state on the current connection. */
int		 vsp_guest_acked(const struct vsp_guest *);
enum vsp_chan	 vsp_guest_channel(const struct vsp_guest *);
/* vsp_guest_channel() == VSP_CHAN_CONNECTED */
int		 vsp_guest_connected(const struct vsp_guest *);
/* "closed", "absent" or "connected": a static string. */
const char	*vsp_chan_name(enum vsp_chan);
uint32_t	 vsp_guest_seq(const struct vsp_guest *);
uint64_t	 vsp_guest_epoch(const struct vsp_guest *);

#endif
