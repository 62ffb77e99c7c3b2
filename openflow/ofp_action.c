/*
 * Action lists (output, set_field, dec_nw_ttl): the list builder, the
 * rules, and the wire form.  Every action is a type and a length that
 * counts the whole action, padding included, a multiple of 8.
 */
#include <errno.h>
#include <string.h>

#include "ofp_wire.h"

#define OUTPUT_LEN	16
#define DEC_TTL_LEN	8
#define SET_FIELD_HDR	4	/* type, len; then the OXM TLV */

int
ofp_port_out_ok(uint32_t port)
{
	if (port == 0 || port == OFPP_ANY)
		return 0;
	return port < OFPP_MAX || port >= OFPP_IN_PORT;
}

static unsigned int
only_field(const struct ofp_match *m)
{
	unsigned int	 f;

	for (f = 0; f < 32; f++)
		if (m->fields == OFP_FIELD(f))
			return f;
	return 32;
}

/* The size of the set_field action for the one field of m. */
static size_t
set_field_len(const struct ofp_match *m)
{
	return OFP_ALIGN8(SET_FIELD_HDR + 4 +
	    (size_t)ofp_oxm_width(only_field(m)));
}

/* A one-field match for set_field: supported, unmasked, valid value. */
static int
set_field_ok(const struct ofp_match *m)
{
	unsigned int	 f = only_field(m);

	if (f >= 32 || ofp_oxm_width(f) == 0)
		return -1;
	if ((f == OFPXMT_IPV4_SRC && m->ipv4_src_mask != 0xffffffffu) ||
	    (f == OFPXMT_IPV4_DST && m->ipv4_dst_mask != 0xffffffffu) ||
	    (f == OFPXMT_ARP_SPA && m->arp_spa_mask != 0xffffffffu) ||
	    (f == OFPXMT_ARP_TPA && m->arp_tpa_mask != 0xffffffffu))
		return -1;
	return ofp_field_value_ok(m, f);
}

/*
 * 0 if every action of the list is one the encoder can write; with ctx
 * (a flow's match), set_field also needs its prerequisites in ctx.
 * -1 with errno EINVAL otherwise.
 */
int
ofp_actions_check(const struct ofp_actions *l, const struct ofp_match *ctx)
{
	const struct ofp_action *a;
	size_t		 i;

	if (l->n > OFP_MAX_ACTIONS)
		goto bad;
	for (i = 0; i < l->n; i++) {
		a = &l->a[i];
		switch (a->type) {
		case OFPAT_OUTPUT:
			if (!ofp_port_out_ok(a->port))
				goto bad;
			break;
		case OFPAT_DEC_NW_TTL:
			break;
		case OFPAT_SET_FIELD:
			if (set_field_ok(&a->field) == -1)
				goto bad;
			if (ctx != NULL &&
			    ofp_prereqs_ok(ctx, a->field.fields) == -1)
				goto bad;
			break;
		default:
			goto bad;
		}
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* The wire size of a list ofp_actions_check accepted. */
size_t
ofp_actions_wire_len(const struct ofp_actions *l)
{
	size_t		 i, n = 0;

	for (i = 0; i < l->n; i++) {
		switch (l->a[i].type) {
		case OFPAT_OUTPUT:
			n += OUTPUT_LEN;
			break;
		case OFPAT_DEC_NW_TTL:
			n += DEC_TTL_LEN;
			break;
		case OFPAT_SET_FIELD:
			n += set_field_len(&l->a[i].field);
			break;
		}
	}
	return n;
}

void
ofp_actions_put(uint8_t *p, const struct ofp_actions *l)
{
	const struct ofp_action *a;
	size_t		 i, len;

	for (i = 0; i < l->n; i++, p += len) {
		a = &l->a[i];
		switch (a->type) {
		case OFPAT_OUTPUT:
			len = OUTPUT_LEN;
			ofp_put32(p + 4, a->port);
			ofp_put16(p + 8, a->max_len);
			memset(p + 10, 0, 6);
			break;
		case OFPAT_DEC_NW_TTL:
			len = DEC_TTL_LEN;
			memset(p + 4, 0, 4);
			break;
		default:	/* OFPAT_SET_FIELD */
			len = set_field_len(&a->field);
			memset(p + 4, 0, len - 4);
			ofp_oxm_put(p + SET_FIELD_HDR, &a->field,
			    only_field(&a->field));
			break;
		}
		ofp_put16(p, a->type);
		ofp_put16(p + 2, (uint16_t)len);
	}
}

/*
 * Read the action list that fills exactly len bytes at p.  Output and
 * dec_nw_ttl have their fixed sizes; a set_field holds one TLV padded
 * with the fewest zero bytes to a multiple of 8.  Pad fields inside an
 * action are ignored.  0, or -1 with errno EBADMSG.
 */
int
ofp_actions_get(const uint8_t *p, size_t len, struct ofp_actions *l)
{
	struct ofp_action *a;
	size_t		 off, alen, tlv;

	memset(l, 0, sizeof(*l));
	for (off = 0; off < len; off += alen) {
		if (len - off < 8)
			goto bad;
		alen = ofp_get16(p + off + 2);
		if (alen < 8 || alen % 8 != 0 || alen > len - off)
			goto bad;
		if (l->n >= OFP_MAX_ACTIONS)
			goto bad;
		a = &l->a[l->n];
		a->type = ofp_get16(p + off);
		switch (a->type) {
		case OFPAT_OUTPUT:
			if (alen != OUTPUT_LEN)
				goto bad;
			a->port = ofp_get32(p + off + 4);
			a->max_len = ofp_get16(p + off + 8);
			if (!ofp_port_out_ok(a->port))
				goto bad;
			break;
		case OFPAT_DEC_NW_TTL:
			if (alen != DEC_TTL_LEN)
				goto bad;
			break;
		case OFPAT_SET_FIELD:
			/* alen >= 8: the TLV header is in. */
			tlv = 4 + (size_t)p[off + SET_FIELD_HDR + 3];
			if (alen != OFP_ALIGN8(SET_FIELD_HDR + tlv))
				goto bad;
			if (ofp_oxm_get(p + off + SET_FIELD_HDR, tlv,
			    &a->field) == -1)
				goto bad;
			if (!ofp_zero(p + off + SET_FIELD_HDR + tlv,
			    alen - SET_FIELD_HDR - tlv))
				goto bad;
			break;
		default:
			goto bad;
		}
		l->n++;
	}
	return 0;
bad:
	memset(l, 0, sizeof(*l));
	errno = EBADMSG;
	return -1;
}

/* The list builder. */

static struct ofp_action *
append(struct ofp_actions *l, uint16_t type)
{
	struct ofp_action *a;

	if (l->n >= OFP_MAX_ACTIONS) {
		errno = ERANGE;
		return NULL;
	}
	a = &l->a[l->n++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	return a;
}

int
ofp_actions_output(struct ofp_actions *l, uint32_t port, uint16_t max_len)
{
	struct ofp_action *a;

	if ((a = append(l, OFPAT_OUTPUT)) == NULL)
		return -1;
	a->port = port;
	a->max_len = max_len;
	return 0;
}

int
ofp_actions_dec_nw_ttl(struct ofp_actions *l)
{
	return append(l, OFPAT_DEC_NW_TTL) == NULL ? -1 : 0;
}

int
ofp_actions_set_fields(struct ofp_actions *l, const struct ofp_match *m)
{
	struct ofp_action *a;
	unsigned int	 f;
	size_t		 need = 0;

	for (f = 0; f < 32; f++) {
		if (!(m->fields & OFP_FIELD(f)))
			continue;
		if (ofp_oxm_width(f) == 0) {
			errno = EINVAL;
			return -1;
		}
		need++;
	}
	if (l->n > OFP_MAX_ACTIONS || need > OFP_MAX_ACTIONS - l->n) {
		errno = ERANGE;
		return -1;
	}
	for (f = 0; f < 32; f++) {
		if (!(m->fields & OFP_FIELD(f)))
			continue;
		a = append(l, OFPAT_SET_FIELD);
		ofp_match_copy_field(&a->field, m, f);
	}
	return 0;
}
