/*
 * Fuzz target for the vsp codec and the stream reader.
 *
 * Input: byte 0 is the control byte.  Its low three bits k count the
 * chunk-size bytes that follow it; everything after those is the byte
 * stream.  The stream is fed to a vsp_reader in chunks of those sizes,
 * cycling (0 = as much as fits), as read() on a virtio-serial port would
 * deliver it.  It is then fed again in one go, and vsp_decode is called on
 * the stream and on the raw input.
 *
 * With bit 3 of the control byte set, the checksums of every frame in the
 * stream are recomputed first.  libFuzzer cannot invert a CRC-32, so
 * without this nearly every mutation of a payload would only exercise the
 * checksum check; the seeds set it, except those that test resync.  With
 * bit 4 set, the reader takes frames of at most VSP_MAX_ACK_FRAME bytes
 * (as the guest's does) instead of VSP_MAX_FRAME.
 *
 * Oracles (abort() when one fails; "does not crash" is not enough):
 *  - every decoded message obeys the protocol's rules, as vsp_oracle.c
 *    states them apart from the codec (known enums, graphic NUL-padded
 *    names, group indexes inside the group table, no address twice);
 *  - every decoded message re-encodes with vsp_encode, the re-encoded
 *    frame decodes again, and the two messages are equal field by field;
 *  - a frame vsp_decode accepts re-encodes to exactly the same bytes
 *    (the decoder is strict, so the encoding is canonical), and encoding
 *    into a buffer one byte short fails with ERANGE without overrunning;
 *  - the frames, garbage count and bad-frame count the reader reports do
 *    not depend on how the stream was chunked;
 *  - after the reader is drained it holds less than one frame, so it never
 *    stalls with a full buffer;
 *  - the reader's work is linear in the bytes fed, whatever they are: it
 *    runs at most 7 bytes through the CRC per byte fed (a magic every 4
 *    bytes, each with a 28-byte header to check; a frame with a valid
 *    header is taken or dropped whole), and moves at most the last read
 *    plus 31 bytes each time it compacts;
 *  - a failed decode sets errno to EBADMSG or EPROTONOSUPPORT.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz.h"
#include "vsp.h"
#include "vsp_oracle.h"
#include "vsp_stream.h"

#define CTL_CHUNKS	0x07	/* number of chunk-size bytes */
#define CTL_RESEAL	0x08	/* recompute the checksums of every frame */
#define CTL_SMALL	0x10	/* the guest's reader: frames up to an ACK */

struct run {
	uint64_t	 hash;		/* FNV-1a over the re-encoded frames */
	size_t		 frames;
	uint64_t	 garbage;
	uint64_t	 bad;
	size_t		 left;		/* bytes still buffered at the end */
	uint64_t	 crc_bytes;	/* CRC work done by the reader */
};

static void
hash_bytes(uint64_t *h, const uint8_t *p, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		*h ^= p[i];
		*h *= 0x100000001b3ULL;
	}
}

/* The name tables are indexed by decoded values: touch them. */
static void
touch_names(const struct vsp_msg *m)
{
	size_t	 i, n = strlen(vsp_type_name(m->hdr.type));

	if (m->hdr.type == VSP_STATE) {
		for (i = 0; i < m->u.state.ngroups; i++)
			n += strlen(vsp_state_name(m->u.state.groups[i].state));
		for (i = 0; i < m->u.state.naddrs; i++)
			n += strlen(vsp_state_name(m->u.state.addrs[i].state));
	} else if (m->hdr.type == VSP_ACK) {
		for (i = 0; i < m->u.ack.nresults; i++) {
			const struct vsp_result_entry *r = &m->u.ack.results[i];

			n += strlen(vsp_result_name(r->result)) +
			    strlen(vsp_reason_name(r->reason));
		}
	}
	if (n == 0)
		oracle_fail("empty type name");
}

/*
 * Check one decoded message.  orig/origlen are the frame it came from, or
 * NULL when the reader consumed it.  Adds the re-encoded frame to *hash.
 */
static void
check_message(const struct vsp_msg *m, const uint8_t *orig, size_t origlen,
    uint64_t *hash)
{
	static uint8_t		 buf[VSP_MAX_FRAME];
	static struct vsp_msg	 again;
	uint8_t			*shortbuf;
	ssize_t			 n;

	if (m->hdr.version != VSP_VERSION || m->hdr.flags != 0 ||
	    m->hdr.length > VSP_MAX_PAYLOAD)
		oracle_fail("decoded header out of range");
	if (!oracle_msg_valid(m))
		oracle_fail("decoder accepted a message against the rules");
	touch_names(m);
	if ((n = vsp_encode(buf, sizeof(buf), m)) == -1)
		oracle_fail("decoded message does not re-encode");
	if ((size_t)n != VSP_HDR_LEN + m->hdr.length)
		oracle_fail("re-encoded length differs from the decoded one");
	if (orig != NULL &&
	    ((size_t)n != origlen || memcmp(buf, orig, origlen) != 0))
		oracle_fail("re-encoded frame differs from the original bytes");
	if (vsp_decode(buf, (size_t)n, &again) == -1)
		oracle_fail("re-encoded frame does not decode");
	if (m->hdr.length != again.hdr.length || !oracle_msg_equal(m, &again))
		oracle_fail("re-encoded frame decodes to a different message");

	/* One byte short: must refuse, and must not write past the end. */
	if ((shortbuf = malloc((size_t)n - 1)) == NULL)
		oracle_fail("out of memory");
	errno = 0;
	if (vsp_encode(shortbuf, (size_t)n - 1, m) != -1 || errno != ERANGE)
		oracle_fail("encoding into a short buffer did not fail with "
		    "ERANGE");
	free(shortbuf);

	hash_bytes(hash, buf, (size_t)n);
}

static void
check_errno(int e)
{
	if (e != EBADMSG && e != EPROTONOSUPPORT)
		oracle_fail("decode failed with an unexpected errno");
}

static void
drain(struct vsp_reader *r, struct run *run)
{
	static struct vsp_msg	 m;
	uint64_t		 bad = r->bad_frames, crc;
	int			 got;

	for (;;) {
		crc = vsp_crc_bytes;
		got = vsp_reader_next(r, &m);
		run->crc_bytes += vsp_crc_bytes - crc;
		if (got != 1)
			break;
		check_message(&m, NULL, 0, &run->hash);
		run->frames++;
	}
	if (r->bad_frames != bad)
		check_errno(r->last_error);
	if (r->len - r->off >= r->max_frame)
		oracle_fail("drained reader still holds a whole frame's worth");
}

/* Feed data in chunks of sizes[] (cycling; none or 0: as much as fits). */
static void
feed(const uint8_t *data, size_t len, const uint8_t *sizes, size_t nsizes,
    size_t max_frame, struct run *run)
{
	static struct vsp_reader r;
	size_t		 off = 0, i = 0, avail, n, reads = 0;
	uint8_t		*p;

	vsp_reader_init(&r, max_frame);
	memset(run, 0, sizeof(*run));
	run->hash = 0xcbf29ce484222325ULL;
	while (off < len) {
		p = vsp_reader_space(&r, &avail);
		if (p == NULL || avail == 0)
			oracle_fail("reader has no space after draining");
		if (r.size > r.cap)
			oracle_fail("reader buffer grew past its cap");
		n = nsizes > 0 ? sizes[i++ % nsizes] : 0;
		if (n == 0 || n > avail)
			n = avail;
		if (n > len - off)
			n = len - off;
		memcpy(p, data + off, n);
		vsp_reader_commit(&r, n);
		off += n;
		reads++;
		drain(&r, run);
	}
	run->garbage = r.garbage_bytes;
	run->bad = r.bad_frames;
	run->left = r.len - r.off;
	if (run->crc_bytes > 7 * (uint64_t)len)
		oracle_fail("reader ran more than 7 bytes through the CRC per "
		    "byte fed");
	if (r.moved_bytes > len + 31 * (uint64_t)reads)
		oracle_fail("reader moved more than each read plus 31 bytes");
	vsp_reader_free(&r);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/*
 * Give every header in p the right checksums, and its payload too where
 * the whole payload is there; go on after the frame, or after the magic.
 */
static void
reseal(uint8_t *p, size_t len)
{
	static const uint8_t magic[4] = { 0x56, 0x52, 0x53, 0x50 };
	size_t		 off = 0, plen;
	int		 whole;

	while (len - off >= VSP_HDR_LEN) {
		if (memcmp(p + off, magic, sizeof(magic)) != 0) {
			off++;
			continue;
		}
		plen = get32(p + off + 8);
		whole = plen <= VSP_MAX_PAYLOAD &&
		    plen <= len - off - VSP_HDR_LEN;
		if (whole)
			put32(p + off + 24, (uint32_t)crc32(0,
			    p + off + VSP_HDR_LEN, (uInt)plen));
		put32(p + off + 28, (uint32_t)crc32(0, p + off, 28));
		off += whole ? VSP_HDR_LEN + plen : sizeof(magic);
	}
}

/* vsp_decode on a whole buffer; returns 1 and the hash if it decoded. */
static int
direct(const uint8_t *data, size_t len, uint64_t *hash)
{
	static struct vsp_msg	 m;

	*hash = 0xcbf29ce484222325ULL;
	errno = 0;
	if (vsp_decode(data, len, &m) == -1) {
		check_errno(errno);
		return 0;
	}
	check_message(&m, data, len, hash);
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run	 chunked, whole;
	uint8_t		*stream;
	size_t		 k, slen, max_frame;
	uint64_t	 h;

	if (size == 0)
		return 0;
	k = data[0] & CTL_CHUNKS;
	if (k > size - 1)
		k = size - 1;
	slen = size - 1 - k;
	/* A copy of exactly slen bytes, so ASan sees any over-read. */
	if ((stream = malloc(slen > 0 ? slen : 1)) == NULL)
		oracle_fail("out of memory");
	memcpy(stream, data + 1 + k, slen);
	if (data[0] & CTL_RESEAL)
		reseal(stream, slen);

	max_frame = data[0] & CTL_SMALL ? VSP_MAX_ACK_FRAME : VSP_MAX_FRAME;
	feed(stream, slen, data + 1, k, max_frame, &chunked);
	feed(stream, slen, NULL, 0, max_frame, &whole);
	if (chunked.frames != whole.frames || chunked.hash != whole.hash ||
	    chunked.garbage != whole.garbage || chunked.bad != whole.bad ||
	    chunked.left != whole.left)
		oracle_fail("reader result depends on how the stream was "
		    "chunked");

	if (direct(stream, slen, &h) && slen <= max_frame &&
	    (whole.frames != 1 || whole.hash != h || whole.garbage != 0 ||
	    whole.bad != 0 || whole.left != 0))
		oracle_fail("reader disagrees with vsp_decode on a single "
		    "frame");
	direct(data, size, &h);
	free(stream);
	return 0;
}
