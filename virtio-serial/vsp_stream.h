/*
 * Byte-stream helpers for vsp: a reader that reassembles frames from
 * whatever read() returned and resynchronises after garbage, and a write
 * buffer that survives short writes.  Both are plain memory; the caller
 * does the read() and owns the descriptor.
 *
 * Memory: each holds a heap buffer, allocated when the first bytes come
 * (read or queued).  It starts small, grows to what the frames need up to
 * a cap fixed at init, and is kept until vsp_reader_free/vsp_wbuf_free,
 * which the owner calls when the channel closes (and before it frees the
 * struct).
 * A struct that was init'ed and freed costs nothing but itself, so a
 * disconnected channel holds no buffer.  The structs are the caller's.
 */
#ifndef VR_VSP_STREAM_H
#define VR_VSP_STREAM_H

#include "vsp.h"

/* The reader's buffer starts at this size and doubles up to its cap. */
#define VSP_READER_MIN		2048
/* Room past the longest frame, so a drained reader always has room for a
 * whole read (virtio-serial returns at most 4 KiB). */
#define VSP_READER_SLACK	4096

/*
 * Work per byte received is bounded by a constant whatever the bytes are:
 * garbage is skipped with one scan for the next magic, every buffered byte
 * is moved at most once per read, and a frame whose header CRC holds is
 * taken or dropped whole (see vsp_frame_check), so no byte is in more than
 * one payload CRC.  docs/protocol.md gives the figures.
 */
struct vsp_reader {
	uint8_t		*buf;		/* heap, NULL until the first read */
	size_t		 size;		/* bytes allocated */
	size_t		 cap;		/* most it may grow to */
	size_t		 max_frame;	/* longer frames are garbage */
	size_t		 off;		/* first byte not yet consumed */
	size_t		 len;		/* end of the bytes read */
	size_t		 need;		/* the front frame's length, while its
					   valid header waits for a payload */
	uint64_t	 garbage_bytes;	/* bytes skipped while resyncing */
	uint64_t	 bad_frames;	/* framed but failed payload CRC or
					   decode */
	uint64_t	 moved_bytes;	/* bytes moved to compact the buffer */
	int		 last_error;	/* errno of the last bad frame */
};

/*
 * Set up r for frames of at most max_frame bytes (header included;
 * clamped to VSP_HDR_LEN..VSP_MAX_FRAME): the peer's longest message, e.g.
 * VSP_MAX_STATE_FRAME on the host.  Longer ones are skipped as garbage.
 * Allocates nothing, cannot fail, zeroes the counters.
 */
void	 vsp_reader_init(struct vsp_reader *r, size_t max_frame);
/*
 * Drop the buffered bytes and free the buffer; the counters and the limit
 * stay, and r can be used again (for the next connection).
 */
void	 vsp_reader_free(struct vsp_reader *r);
/*
 * Where to read() into, and how much fits (*avail > 0).  Moves the
 * unconsumed bytes to the front (once per read) and grows the buffer if
 * need be.  NULL with errno ENOMEM if there is no room and no memory for
 * it, or ENOBUFS if the caller did not drain a full buffer with
 * vsp_reader_next first.  The pointer is valid until the next call on r.
 */
uint8_t	*vsp_reader_space(struct vsp_reader *r, size_t *avail);
/* n bytes were read into the space. */
void	 vsp_reader_commit(struct vsp_reader *r, size_t n);
/*
 * 1: *msg holds the next frame; 0: need more bytes.  Garbage and bad
 * frames on the way are counted and dropped.
 */
int	 vsp_reader_next(struct vsp_reader *r, struct vsp_msg *msg);
/*
 * The frame vsp_reader_next just gave is not one this side takes (a HELLO
 * or an ACK from a guest): count it as a bad frame with errno error.
 */
void	 vsp_reader_reject(struct vsp_reader *r, int error);

struct vsp_wbuf {
	uint8_t		*buf;		/* heap, NULL until the first add */
	size_t		 size;		/* bytes allocated */
	size_t		 cap;		/* most bytes it may queue */
	size_t		 off;		/* first unwritten byte */
	size_t		 len;		/* end of queued bytes */
	int		 started;	/* some of the queue is written */
};

/*
 * Set up w to queue at most cap bytes (e.g. a few frames of the longest
 * message this side sends).  Allocates nothing, cannot fail.
 */
void	 vsp_wbuf_init(struct vsp_wbuf *w, size_t cap);
/*
 * Drop what is queued; the buffer stays for the next add.  If
 * vsp_wbuf_started, the peer then sees a torn frame.
 */
void	 vsp_wbuf_reset(struct vsp_wbuf *w);
/* 1 if part of what is queued has been written: its rest must follow. */
int	 vsp_wbuf_started(const struct vsp_wbuf *w);
/* Drop what is queued and free the buffer; w can be used again. */
void	 vsp_wbuf_free(struct vsp_wbuf *w);
/* Queue len bytes (copied); -1 with errno ENOBUFS past the cap, ENOMEM. */
int	 vsp_wbuf_add(struct vsp_wbuf *w, const void *data, size_t len);
int	 vsp_wbuf_pending(const struct vsp_wbuf *w);
/* Write what the fd takes; -1 with errno on a real error (not EAGAIN). */
int	 vsp_wbuf_flush(struct vsp_wbuf *w, int fd);
/*
 * Encode *msg and queue it; -1 with errno from vsp_encode, ENOBUFS or
 * ENOMEM.
 */
int	 vsp_wbuf_add_msg(struct vsp_wbuf *w, const struct vsp_msg *msg);

#endif
