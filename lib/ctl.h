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

#include <event2/event.h>
#include <jansson.h>

#define CTL_VERSION	1
#define CTL_MAX_MSG	(1024 * 1024)

/*
 * A request handler returns a new reply object (the server frees it), or
 * NULL to reply with a generic failure.  readonly is set for connections
 * on the restricted socket.
 */
typedef json_t	*(*ctl_handler)(const char *cmd, json_t *req, int readonly,
		    void *arg);

struct ctl_server;

/*
 * Listen on path (removing a stale socket first), mode applied with
 * chmod after bind.  allow lists the commands a read-only socket accepts
 * (NULL-terminated; NULL for a full socket).  The server is the caller's
 * to ctl_server_free(), which also unlinks the path.
 */
struct ctl_server *ctl_server_new(struct event_base *, const char *path,
		    unsigned int mode, const char *const *allow,
		    ctl_handler, void *arg);
void		 ctl_server_free(struct ctl_server *);

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
/* 1: *obj decoded from *used bytes; 0: need more; -1: bad, errno set. */
int		 ctl_frame_decode(const void *, size_t, json_t **obj,
		    size_t *used);

#endif
