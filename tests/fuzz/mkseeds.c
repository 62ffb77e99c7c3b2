/*
 * Writes the seed inputs of the fuzz_vsp_stream target, built with the
 * real encoder so they stay valid frames when the format changes:
 *
 *	mkseeds DIR	write the seeds into DIR (make fuzz-seeds)
 *	mkseeds -c DIR	check that DIR holds exactly what would be written;
 *			make unit runs this, so a format change that leaves
 *			the committed seeds stale fails until they are
 *			regenerated with make fuzz-seeds and committed.
 *
 * A seed is what the target reads: one control byte whose low three bits
 * count the chunk-size bytes after it, those bytes, then the stream.  Bit
 * 3 of the control byte makes the target recompute the checksums of the
 * frames, so that mutations of their fields reach the decoder; it is set
 * except where the seed is about resynchronising after damage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vsp.h"

#define SEED_MAX	9000		/* make fuzz runs with -max_len=9000 */
#define CTL_RESEAL	0x08

struct seed {
	uint8_t		 buf[SEED_MAX];
	size_t		 len;
};

static struct vsp_msg	 msg;
static struct seed	 seed;
static int		 check_only, stale;
static const char	*dir;

static void
die(const char *what)
{
	fprintf(stderr, "mkseeds: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
add(const void *p, size_t len)
{
	if (len == 0)
		return;
	if (len > sizeof(seed.buf) - seed.len) {
		errno = EFBIG;
		die("seed longer than -max_len");
	}
	memcpy(seed.buf + seed.len, p, len);
	seed.len += len;
}

/* Start a seed: control byte and chunk sizes (none: one read). */
static void
begin(const uint8_t *sizes, size_t nsizes, int reseal)
{
	uint8_t	 ctl = (uint8_t)nsizes | (reseal ? CTL_RESEAL : 0);

	seed.len = 0;
	if (nsizes > 7) {
		errno = EINVAL;
		die("more than 7 chunk sizes");
	}
	add(&ctl, 1);
	add(sizes, nsizes);
}

/* Append the encoding of msg; keep only the first len bytes if len > 0. */
static void
add_msg(size_t len)
{
	uint8_t	 frame[VSP_MAX_FRAME];
	ssize_t	 n;

	if ((n = vsp_encode(frame, sizeof(frame), &msg)) == -1)
		die("vsp_encode");
	add(frame, len > 0 && len < (size_t)n ? len : (size_t)n);
}

static void
hello(void)
{
	memset(&msg, 0, sizeof(msg));
	msg.hdr.type = VSP_HELLO;
	msg.hdr.seq = 1;
	msg.hdr.epoch = 1700000000;
	msg.u.hello.min_version = 1;
	msg.u.hello.max_version = 1;
	strcpy(msg.u.hello.host, "hv1.example");
}

static void
yield(uint32_t request)
{
	memset(&msg, 0, sizeof(msg));
	msg.hdr.type = VSP_YIELD;
	msg.hdr.seq = 9;
	msg.hdr.epoch = 1700000000;
	msg.u.yield.request = request;
}

static void
state(int ngroups, int naddrs)
{
	int	 i;

	memset(&msg, 0, sizeof(msg));
	msg.hdr.type = VSP_STATE;
	msg.hdr.seq = 42;
	msg.hdr.epoch = 0x0102030405060708ULL;
	strcpy(msg.u.state.router_id, "router-1");
	msg.u.state.ngroups = (uint16_t)ngroups;
	msg.u.state.naddrs = (uint16_t)naddrs;
	for (i = 0; i < ngroups; i++) {
		snprintf(msg.u.state.groups[i].name, VSP_NAME_LEN + 1,
		    "VG_%d", i);
		msg.u.state.groups[i].kind = i % 2 ? VSP_KIND_GROUP :
		    VSP_KIND_INSTANCE;
		msg.u.state.groups[i].state = i % 2 ? VSP_ST_BACKUP :
		    VSP_ST_MASTER;
		msg.u.state.groups[i].priority = (uint8_t)(100 + i);
	}
	for (i = 0; i < naddrs; i++) {
		msg.u.state.addrs[i].addr = htonl(0xcb007100u + (uint32_t)i);
		msg.u.state.addrs[i].plen = 32;
		msg.u.state.addrs[i].state = VSP_ST_MASTER;
		msg.u.state.addrs[i].group = ngroups > 0 ?
		    (uint8_t)(i % ngroups) : 0xff;
	}
}

static void
ack(int n)
{
	int	 i;

	memset(&msg, 0, sizeof(msg));
	msg.hdr.type = VSP_ACK;
	msg.hdr.seq = 7;
	msg.hdr.epoch = 1700000001;
	msg.u.ack.acked_seq = 42;
	msg.u.ack.acked_epoch = 0x0102030405060708ULL;
	msg.u.ack.nresults = (uint16_t)n;
	for (i = 0; i < n; i++) {
		msg.u.ack.results[i].addr = htonl(0xcb007100u + (uint32_t)i);
		msg.u.ack.results[i].result = i % 2 ? VSP_RES_REFUSED :
		    VSP_RES_INSTALLED;
		msg.u.ack.results[i].reason = i % 2 ?
		    VSP_WHY_NOT_REGISTERED : VSP_WHY_NONE;
	}
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
 * n headers with valid header CRCs, back to back, each claiming the
 * longest payload with a wrong payload CRC: the stream that once cost an
 * 8 KiB CRC per 32 bytes received.
 */
static void
add_bait(size_t n)
{
	uint8_t	 h[VSP_HDR_LEN];

	memset(h, 0, sizeof(h));
	memcpy(h, "VRSP", 4);
	h[4] = VSP_VERSION;
	h[5] = VSP_STATE;
	put32(h + 8, VSP_MAX_PAYLOAD);
	put32(h + 24, 0xdeadbeef);
	while (n-- > 0) {
		put32(h + 12, (uint32_t)n);
		put32(h + 28, vsp_crc32(h, 28));
		add(h, sizeof(h));
	}
}

static void
end(const char *name)
{
	char	 path[4096];
	uint8_t	 old[SEED_MAX + 1];
	ssize_t	 n;
	int	 fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		die(name);
	}
	if (check_only) {
		n = -1;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
			n = read(fd, old, sizeof(old));
			close(fd);
		}
		if (n != (ssize_t)seed.len || memcmp(old, seed.buf, seed.len)) {
			fprintf(stderr, "mkseeds: %s is stale: run make "
			    "fuzz-seeds and commit the result\n", path);
			stale = 1;
		}
		return;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		die(path);
	if (write(fd, seed.buf, seed.len) != (ssize_t)seed.len)
		die(path);
	if (close(fd) == -1)
		die(path);
}

int
main(int argc, char *argv[])
{
	static const uint8_t	 junk[] = "junk\0VR\x01VRS";
	static const uint8_t	 sizes3[] = { 1, 7, 0 };
	static const uint8_t	 sizes1[] = { 5 };
	static const uint8_t	 sizes7[] = { 31, 32, 33, 1, 64, 255, 0 };

	if (argc == 3 && strcmp(argv[1], "-c") == 0) {
		check_only = 1;
		dir = argv[2];
	} else if (argc == 2)
		dir = argv[1];
	else {
		fprintf(stderr, "usage: mkseeds [-c] dir\n");
		return 2;
	}

	begin(NULL, 0, 1); hello(); add_msg(0); end("hello");
	begin(NULL, 0, 1); state(2, 3); add_msg(0); end("state");
	begin(NULL, 0, 1); ack(5); add_msg(0); end("ack");
	begin(NULL, 0, 1); state(VSP_MAX_GROUPS, VSP_MAX_ADDRS); add_msg(0);
	end("state-max");
	begin(NULL, 0, 1); ack(VSP_MAX_ADDRS); add_msg(0); end("ack-max");
	begin(NULL, 0, 1); yield(1); add_msg(0); end("yield");

	/* A frame on its own, no control byte: vsp_decode on the input. */
	seed.len = 0; state(1, 2); add_msg(0); end("bare-state");

	/* Several frames with garbage between them, read in small chunks. */
	begin(sizes3, sizeof(sizes3), 0);
	hello(); add_msg(0);
	add(junk, sizeof(junk) - 1);
	state(3, 4); add_msg(0);
	ack(4); add_msg(0);
	state(1, 1); add_msg(40);	/* cut off inside the payload */
	end("stream-chunked");

	/* A migration's exchange: HELLO, STATE, YIELD, ACK, a split YIELD. */
	begin(sizes3, sizeof(sizes3), 0);
	hello(); add_msg(0);
	state(1, 1); add_msg(0);
	yield(7); add_msg(0);
	ack(1); add_msg(0);
	yield(8); add_msg(0);
	end("stream-yield");

	/* A frame cut short, then a whole one: resync must find it. */
	begin(sizes1, sizeof(sizes1), 0);
	ack(2); add_msg(VSP_HDR_LEN + 3);
	hello(); add_msg(0);
	end("truncated-then-hello");

	/* Chunks that split the header at every interesting place. */
	begin(sizes7, sizeof(sizes7), 1);
	state(4, 16); add_msg(0);
	hello(); add_msg(0);
	ack(16); add_msg(0);
	end("stream-split-header");

	/*
	 * The CRC bait: the first header's frame swallows the next 256
	 * headers and is dropped whole, as one bad frame; the HELLO after
	 * them is read.  No reseal: the payload CRCs must stay wrong.
	 */
	begin(NULL, 0, 0);
	add_bait(VSP_MAX_FRAME / VSP_HDR_LEN);
	hello(); add_msg(0);
	end("crc-bait");

	return stale ? 1 : 0;
}
