/*
 * Control sockets: framed, versioned JSON over AF_UNIX, the same for every
 * vrouter daemon and for vrouterctl.
 *
 * A frame is a 4-byte big-endian length followed by that many bytes of one
 * JSON object.  Requests are {"v":1,"cmd":NAME,...}; replies are
 * {"v":1,"ok":true,...} or {"v":1,"ok":false,"error":TEXT}.
 */
#ifndef VR_CTL_H
#define VR_CTL_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#define CTL_VERSION	1
#define CTL_MAX_MSG	(1024 * 1024)	/* any frame's JSON text */

/*
 * What one client may cost a daemon (docs/architecture.md, "Control
 * sockets").  A request is small, so the server takes at most CTL_MAX_REQ
 * bytes of JSON in a request frame and holds at most one such frame of
 * input per client.  While a client's queued replies exceed CTL_OUT_HIGH
 * the server reads no more of its requests, until they drain to
 * CTL_OUT_LOW; a client held that way for CTL_STALL_MS is dropped.  So
 * queued output stays below CTL_OUT_HIGH plus one reply.
 */
#define CTL_MAX_REQ	(64 * 1024)
#define CTL_MAX_CLIENTS	64		/* per socket */
#define CTL_READ_MAX	16384		/* bytes read from a client per turn */
#define CTL_OUT_HIGH	(256 * 1024)
#define CTL_OUT_LOW	(64 * 1024)
#define CTL_STALL_MS	10000
/* A socket logs at most one refusal and one drop line per CTL_LOG_MS. */
#define CTL_LOG_MS	10000

/*
 * A request handler returns a new reply object (the server frees it), or
 * NULL to reply with a generic failure.  readonly is set for connections
 * on the restricted socket.
 */
typedef json_t	*(*ctl_handler)(const char *cmd, json_t *req, int readonly,
		    void *arg);

struct ctl_server;

/*
 * Listen on path, mode applied with chmod after bind (under a umask).
 * ctl_server_check() runs first: a path a live daemon answers on is not
 * taken over.  allow lists the commands a read-only socket accepts
 * (NULL-terminated; NULL for a full socket).  Returns NULL with errno
 * set (EADDRINUSE: another daemon has it).  The server is the caller's to
 * ctl_server_free(), which also closes its clients and unlinks the path.
 */
struct ctl_server *ctl_server_new(struct event_base *, const char *path,
		    unsigned int mode, const char *const *allow,
		    ctl_handler, void *arg);
void		 ctl_server_free(struct ctl_server *);

/*
 * Whether path may be bound, after bgpd's control_check(): 0 if nothing
 * is there or it was a stale socket (nobody answered a connect; it is
 * removed).  -1 with errno EADDRINUSE if a daemon answers on it, ENOTSOCK
 * if it is not a socket (left alone), or the errno of what failed; each
 * logged with the path.  A daemon may call it early, before it changes
 * anything, to refuse to start a second time.
 */
int		 ctl_server_check(const char *path);

/*
 * Back-pressure on one client, pure so that it can be tested: given the
 * bytes of replies queued for it and a monotonic clock, whether to read
 * its requests.  Zero-initialised means reading.
 */
struct ctl_flow {
	int		 held;		/* its requests are not being read */
	uint64_t	 since_ms;	/* held since */
};
enum ctl_flow_verdict {
	CTL_FLOW_READ,		/* read and answer its requests */
	CTL_FLOW_HOLD,		/* above the high mark: read nothing */
	CTL_FLOW_DROP		/* held for CTL_STALL_MS: drop it */
};
enum ctl_flow_verdict ctl_flow_check(struct ctl_flow *, size_t queued,
		    uint64_t now_ms);

/*
 * A log rate limit: 1 if a line may be logged at now_ms (then *suppressed
 * is how many were not since the last one), 0 to stay quiet.  At most one
 * line per interval_ms.  Zero-initialised means the next line goes out.
 */
struct ctl_ratelim {
	int		 started;
	uint64_t	 last_ms;
	unsigned int	 suppressed;
};
int		 ctl_ratelim(struct ctl_ratelim *, uint64_t now_ms,
		    unsigned int interval_ms, unsigned int *suppressed);

/* Reply helpers: new references for the handler to return. */
json_t		*ctl_reply_ok(void);
json_t		*ctl_reply_error(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

/*
 * Blocking client call for tools: connect, send req, wait up to
 * timeout_ms for the reply.  Returns the reply (caller json_decref()s it)
 * or NULL with a message in err.
 */
json_t		*ctl_call(const char *path, json_t *req, int timeout_ms,
		    char *err, size_t errlen);

/* Framing over plain memory, used by both sides and fuzzed. */
int		 ctl_frame_encode(json_t *, char **out, size_t *outlen);
/*
 * 1: *obj decoded from *used bytes (the caller json_decref()s it); 0: need
 * more; -1: bad, errno set (EMSGSIZE: the length is over max, known from
 * the first 4 bytes; EBADMSG: not one JSON object).  *obj is NULL and
 * *used untouched unless 1.  ctl_frame_decode() allows CTL_MAX_MSG.
 */
int		 ctl_frame_decode(const void *, size_t, json_t **obj,
		    size_t *used);
int		 ctl_frame_decode_max(const void *, size_t, size_t max,
		    json_t **obj, size_t *used);
/*
 * The command a decoded request names, after checking its envelope: "v"
 * is CTL_VERSION, "cmd" a string, and on the allow-list if one is given
 * (NULL-terminated; NULL allows every command).  Returns the name (owned
 * by req) or NULL with the reason in err.
 */
const char	*ctl_request_cmd(json_t *req, const char *const *allow,
		    char *err, size_t errlen);

#endif
