/*
 * Frame reassembly and write buffering for a vsp byte stream.  virtio-serial
 * returns at most 4 KiB per read and may take a short write, and a peer may
 * reconnect in the middle of a frame, so neither side may assume that a
 * read or a write lines up with a frame.
 *
 * The reader reads from hostile peers, so its cost per byte received must
 * not depend on what the bytes are: it consumes by moving an offset, moves
 * the rest to the front once per read (in vsp_reader_space), and leaves
 * the skipping and the CRCs to vsp_frame_check, which never looks at a
 * payload twice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vsp_stream.h"

#define READ_MIN	512	/* grow rather than offer a smaller read */
#define WBUF_MIN	2048

/* The smallest doubling of from (or of min) that holds want, up to cap. */
static size_t
grown(size_t from, size_t min, size_t want, size_t cap)
{
	size_t	 n = from > 0 ? from : min;

	while (n < want && n < cap)
		n *= 2;
	return n < cap ? n : cap;
}

void
vsp_reader_init(struct vsp_reader *r, size_t max_frame)
{
	memset(r, 0, sizeof(*r));
	if (max_frame < VSP_HDR_LEN)
		max_frame = VSP_HDR_LEN;
	if (max_frame > VSP_MAX_FRAME)
		max_frame = VSP_MAX_FRAME;
	r->max_frame = max_frame;
	r->cap = max_frame + VSP_READER_SLACK;
}

void
vsp_reader_free(struct vsp_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->size = r->off = r->len = r->need = 0;
}

uint8_t *
vsp_reader_space(struct vsp_reader *r, size_t *avail)
{
	uint8_t	*nbuf;
	size_t	 want, nsize;

	if (r->off == r->len)
		r->off = r->len = 0;
	else if (r->off > 0) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->moved_bytes += r->len - r->off;
		r->len -= r->off;
		r->off = 0;
	}
	/* Room for a useful read, or for the whole frame that waits. */
	want = r->len + READ_MIN;
	if (want < r->need)
		want = r->need;
	if (want > r->size && r->size < r->cap) {
		nsize = grown(r->size, VSP_READER_MIN, want, r->cap);
		if ((nbuf = realloc(r->buf, nsize)) != NULL) {
			r->buf = nbuf;
			r->size = nsize;
		}
	}
	*avail = r->size - r->len;
	if (*avail == 0) {
		errno = r->size == r->cap ? ENOBUFS : ENOMEM;
		return NULL;
	}
	return r->buf + r->len;
}

void
vsp_reader_commit(struct vsp_reader *r, size_t n)
{
	if (n > r->size - r->len)
		n = r->size - r->len;
	r->len += n;
}

int
vsp_reader_next(struct vsp_reader *r, struct vsp_msg *msg)
{
	const uint8_t	*p;
	enum vsp_scan	 st;
	size_t		 n, avail;

	while (r->off < r->len) {
		p = r->buf + r->off;
		avail = r->len - r->off;
		/* Its header was checked: wait for the payload quietly. */
		if (r->need > avail)
			return 0;
		r->need = 0;
		st = vsp_frame_check(p, avail, &n);
		if (st != VSP_SCAN_GARBAGE && n > r->max_frame) {
			st = VSP_SCAN_GARBAGE;
			n = 1;
		}
		switch (st) {
		case VSP_SCAN_NEED_MORE:
			r->need = n;
			return 0;
		case VSP_SCAN_GARBAGE:
			r->garbage_bytes += n;
			r->off += n;
			break;
		case VSP_SCAN_BAD_PAYLOAD:
			r->last_error = EBADMSG;
			r->bad_frames++;
			r->off += n;
			break;
		case VSP_SCAN_FRAME:
			r->off += n;
			if (vsp_decode(p, n, msg) == 0)
				return 1;
			r->last_error = errno;
			r->bad_frames++;
			break;
		}
	}
	return 0;
}

void
vsp_reader_reject(struct vsp_reader *r, int error)
{
	r->last_error = error;
	r->bad_frames++;
}

void
vsp_wbuf_init(struct vsp_wbuf *w, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->cap = cap;
}

void
vsp_wbuf_reset(struct vsp_wbuf *w)
{
	w->off = w->len = 0;
	w->started = 0;
}

void
vsp_wbuf_free(struct vsp_wbuf *w)
{
	free(w->buf);
	w->buf = NULL;
	w->size = w->off = w->len = 0;
	w->started = 0;
}

int
vsp_wbuf_started(const struct vsp_wbuf *w)
{
	return w->started;
}

int
vsp_wbuf_pending(const struct vsp_wbuf *w)
{
	return w->len > w->off;
}

int
vsp_wbuf_add(struct vsp_wbuf *w, const void *data, size_t len)
{
	uint8_t	*nbuf;
	size_t	 nsize;

	if (len > w->cap - (w->len - w->off)) {
		errno = ENOBUFS;
		return -1;
	}
	if (len == 0)
		return 0;
	if (len > w->size - w->len && w->off > 0) {
		memmove(w->buf, w->buf + w->off, w->len - w->off);
		w->len -= w->off;
		w->off = 0;
	}
	if (len > w->size - w->len) {
		nsize = grown(w->size, WBUF_MIN, w->len + len, w->cap);
		if ((nbuf = realloc(w->buf, nsize)) == NULL)
			return -1;
		w->buf = nbuf;
		w->size = nsize;
	}
	memcpy(w->buf + w->len, data, len);
	w->len += len;
	return 0;
}

int
vsp_wbuf_add_msg(struct vsp_wbuf *w, const struct vsp_msg *msg)
{
	uint8_t	 frame[VSP_MAX_FRAME];
	ssize_t	 n;

	if ((n = vsp_encode(frame, sizeof(frame), msg)) == -1)
		return -1;
	return vsp_wbuf_add(w, frame, (size_t)n);
}

int
vsp_wbuf_flush(struct vsp_wbuf *w, int fd)
{
	ssize_t	 n;

	while (w->off < w->len) {
		n = write(fd, w->buf + w->off, w->len - w->off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -1;
		}
		w->off += (size_t)n;
		w->started = 1;
	}
	w->off = w->len = 0;
	w->started = 0;
	return 0;
}
