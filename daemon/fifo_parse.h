/*
 * keepalived's notify_fifo lines, e.g.
 *	INSTANCE "VI_pub" MASTER 150
 *	GROUP "G_tenant42" BACKUP 0
 *	INSTANCE "VI_pub" MASTER_RX_LOWER_PRI 150
 * Pure parsing, no I/O, for unit tests and fuzzing.
 */
#ifndef VR_FIFO_PARSE_H
#define VR_FIFO_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define FIFO_NAME_LEN	32

enum fifo_kind {
	FIFO_INSTANCE,
	FIFO_GROUP,
};

enum fifo_what {
	FIFO_INIT,
	FIFO_BACKUP,
	FIFO_MASTER,
	FIFO_FAULT,
	FIFO_STOP,
	FIFO_DELETED,
	FIFO_MASTER_RX_LOWER_PRI,	/* an event, not a state */
};

struct fifo_event {
	uint8_t		 kind;		/* enum fifo_kind */
	uint8_t		 what;		/* enum fifo_what */
	uint8_t		 priority;
	char		 name[FIFO_NAME_LEN + 1];
};

/*
 * Parse one line (without its newline).  Returns 1 with *ev filled for a
 * VRRP line, 0 for a line of another kind keepalived may write (checker
 * lines start with VS or RS), -1 with errno EBADMSG for a malformed line.
 */
int	 fifo_parse_line(const char *line, size_t len, struct fifo_event *ev);
const char *fifo_what_name(unsigned int);

#endif
