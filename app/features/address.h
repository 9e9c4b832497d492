/*
 * address: the postal address block shared by sign-up and the account page.
 *
 * For France the city is a commune of the postal code, identified by its
 * INSEE code (field city_code); elsewhere it is free text (city_name). The
 * browser script fills the commune select from /api/cities; without
 * JavaScript the server decides alone when the postal code has a single
 * commune or the typed name matches one, and otherwise shows the choice.
 */
#ifndef CIVITAS_ADDRESS_H
#define CIVITAS_ADDRESS_H

#include "form.h"

struct address {
	const char *street;
	const char *postal_code;
	const char *country;
	const char *city_insee;	/* "" outside France */
	const char *city_name;
	PGresult *communes;	/* of postal_code, when already looked up */
};

#define ADDRESS_FIELDS "street", "postal_code", "country", "city_code", \
	"city_name"

/* Are the countries at hand (else PostgreSQL is down and this worker
 * never loaded them)? */
int address_ready(struct req *r);
/* Read and check the posted address into a, marking wrong fields.
 * 0, or -1 when PostgreSQL is unavailable. */
int address_check(struct form *f, struct address *a);
/* Put the address block (values, countries, communes) into the form's
 * view as address_block. 0, or -1 when the country list cannot be had
 * (PostgreSQL unavailable and never loaded by this worker). */
int address_view(struct form *f, const struct address *a);

#endif
