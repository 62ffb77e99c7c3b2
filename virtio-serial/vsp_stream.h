/*
 * Byte-stream helpers for vsp: a reader that reassembles frames from
 * whatever read() returned and resynchronises after garbage, and a write
 * buffer that survives short writes.  Both are plain memory; the caller
 * does the read() and owns the descriptor.
 */
#ifndef VR_VSP_STREAM_H
#define VR_VSP_STREAM_H

#include "vsp.h"

struct vsp_reader {
	uint8_t		 buf[VSP_MAX_FRAME + 4096];
	size_t		 len;
	uint64_t	 garbage_bytes;	/* bytes skipped while resyncing */
	uint64_t	 bad_frames;	/* framed but failed to decode */
	int		 last_error;	/* errno of the last bad frame */
};

void	 vsp_reader_reset(struct vsp_reader *);
/* Where to read() into, and how much fits. */
uint8_t	*vsp_reader_space(struct vsp_reader *, size_t *);
void	 vsp_reader_commit(struct vsp_reader *, size_t);
/* 1: *msg holds the next frame; 0: need more bytes. */
int	 vsp_reader_next(struct vsp_reader *, struct vsp_msg *);

struct vsp_wbuf {
	uint8_t		 buf[4 * VSP_MAX_FRAME];
	size_t		 off;		/* first unwritten byte */
	size_t		 len;		/* end of queued bytes */
};

void	 vsp_wbuf_reset(struct vsp_wbuf *);
int	 vsp_wbuf_add(struct vsp_wbuf *, const void *, size_t);
int	 vsp_wbuf_pending(const struct vsp_wbuf *);
/* Write what the fd takes; -1 with errno on a real error (not EAGAIN). */
int	 vsp_wbuf_flush(struct vsp_wbuf *, int fd);
/* Encode *msg and queue it; -1 with errno from vsp_encode or ENOBUFS. */
int	 vsp_wbuf_add_msg(struct vsp_wbuf *, const struct vsp_msg *);

#endif
