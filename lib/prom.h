/*
 * prom: a page in the Prometheus text exposition format (version 0.0.4),
 * built in memory.  Pure: no I/O, no logging.  promfile.c writes a page
 * for node_exporter's textfile collector.
 *
 * A family is declared once (HELP and TYPE lines), then its samples
 * follow it; a sample of another family, a family declared twice, a bad
 * metric or label name fail with -1 and errno EINVAL (EEXIST for the
 * duplicate) and leave the page as it was, so that one bad sample costs
 * only itself.  Label values are escaped (backslash, double quote,
 * newline) and must be UTF-8 (EINVAL); they are passed as name, value
 * pairs ended by NULL.
 */
#ifndef VR_PROM_H
#define VR_PROM_H

#include <stddef.h>
#include <stdint.h>

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_HISTOGRAM,
};

struct prom {
	char		*buf;		/* the page, NUL-terminated */
	size_t		 len, cap;
	char		*family;	/* the family being written */
	enum prom_type	 type;
	char		**names;	/* families declared so far */
	size_t		 nnames;
	unsigned int	 errors;	/* calls that failed */
};

#define PROM_HIST_MAX	16

/* A histogram kept by a daemon: counts per upper bound, not cumulative. */
struct prom_hist {
	size_t		 n;
	double		 le[PROM_HIST_MAX];	/* ascending upper bounds */
	uint64_t	 bucket[PROM_HIST_MAX];
	uint64_t	 count;
	double		 sum;
};

void	 prom_init(struct prom *);
/* Frees what the page holds; the struct may be initialised again. */
void	 prom_free(struct prom *);
/* The page so far, owned by p (valid until the next call on p). */
const char *prom_text(const struct prom *p, size_t *len);

int	 prom_family(struct prom *, const char *name, enum prom_type,
	    const char *help);
/* A sample of the current family: a double, or an exact integer. */
int	 prom_sample(struct prom *, const char *name, double value, ...)
	    __attribute__((sentinel));
int	 prom_sample_u64(struct prom *, const char *name, uint64_t value,
	    ...) __attribute__((sentinel));
/*
 * The current family's histogram h: name_bucket (cumulative, le labels
 * and +Inf), name_sum and name_count, each with the labels given.
 */
int	 prom_histogram(struct prom *, const char *name,
	    const struct prom_hist *h, ...) __attribute__((sentinel));

/* 0, or -1 with EINVAL: more than PROM_HIST_MAX bounds, or unsorted. */
int	 prom_hist_init(struct prom_hist *, const double *le, size_t n);
void	 prom_hist_observe(struct prom_hist *, double v);

/* Name checks of the exposition format (1 valid, 0 not). */
int	 prom_metric_name_ok(const char *);
int	 prom_label_name_ok(const char *);

/*
 * promfile.c: write len bytes of text as dir/name, atomically for the
 * collector: a temporary file in dir (not ending in .prom), fsync,
 * rename over name.  0, or -1 with errno; on failure nothing is left
 * behind and the old file stays.
 */
int	 prom_write_file(const char *dir, const char *name, const char *text,
	    size_t len);

#endif
