/*
 * Frame reassembly and write buffering for a vsp byte stream.  virtio-serial
 * returns at most 4 KiB per read and may take a short write, and a peer may
 * reconnect in the middle of a frame, so neither side may assume that a
 * read or a write lines up with a frame.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vsp_stream.h"

void
vsp_reader_reset(struct vsp_reader *r)
{
	r->len = 0;
}

uint8_t *
vsp_reader_space(struct vsp_reader *r, size_t *avail)
{
	*avail = sizeof(r->buf) - r->len;
	return r->buf + r->len;
}

void
vsp_reader_commit(struct vsp_reader *r, size_t n)
{
	if (n > sizeof(r->buf) - r->len)
		n = sizeof(r->buf) - r->len;
	r->len += n;
}

static void
consume(struct vsp_reader *r, size_t n)
{
	memmove(r->buf, r->buf + n, r->len - n);
	r->len -= n;
}

int
vsp_reader_next(struct vsp_reader *r, struct vsp_msg *msg)
{
	size_t	 n;

	while (r->len > 0) {
		switch (vsp_frame_check(r->buf, r->len, &n)) {
		case VSP_SCAN_NEED_MORE:
			return 0;
		case VSP_SCAN_GARBAGE:
			r->garbage_bytes += n;
			consume(r, n);
			break;
		case VSP_SCAN_FRAME:
			if (vsp_decode(r->buf, n, msg) == 0) {
				consume(r, n);
				return 1;
			}
			r->last_error = errno;
			r->bad_frames++;
			consume(r, n);
			break;
		}
	}
	return 0;
}

void
vsp_wbuf_reset(struct vsp_wbuf *w)
{
	w->off = w->len = 0;
}

int
vsp_wbuf_pending(const struct vsp_wbuf *w)
{
	return w->len > w->off;
}

int
vsp_wbuf_add(struct vsp_wbuf *w, const void *data, size_t len)
{
	if (w->off > 0) {
		memmove(w->buf, w->buf + w->off, w->len - w->off);
		w->len -= w->off;
		w->off = 0;
	}
	if (len > sizeof(w->buf) - w->len) {
		errno = ENOBUFS;
		return -1;
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
	}
	w->off = w->len = 0;
	return 0;
}
