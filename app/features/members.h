/*
 * members: the fields a member gives at sign-up and edits on the account
 * page, declared once (infra/form.h), and what sign-up, login and the
 * account share.
 */
#ifndef CIVITAS_MEMBERS_H
#define CIVITAS_MEMBERS_H

#include "../infra/form.h"

/* A first or last name ("prénom", "nom"): re-cased as people write it. */
#define MEMBER_NAME_FIELD(name, label) \
	{ name, F_REQUIRED, 2, 50, valid_person_name, .msg = { \
	    [VALID_MISSING] = "Veuillez renseigner votre " label ".", \
	    [VALID_TOO_SHORT] = "Votre " label " doit comporter entre 2 et " \
		"50 caractères.", \
	    [VALID_TOO_LONG] = "Votre " label " doit comporter entre 2 et " \
		"50 caractères.", \
	    [VALID_BAD_CHARS] = "Votre " label " ne peut contenir que des " \
		"lettres, des espaces, des tirets et des apostrophes.", \
	    [VALID_INVALID] = "Votre " label " doit commencer par une " \
		"lettre." } }

extern const char *const member_genders[];
/* valid_birth_date() on today, for members (15 years old at least). */
int valid_member_birth_date(const char *in, char *out, size_t outsz);

/* Who the member is: sign-up and the account page. */
#define MEMBER_IDENTITY_FIELDS \
	MEMBER_NAME_FIELD("first_name", "prénom"), \
	MEMBER_NAME_FIELD("last_name", "nom"), \
	{ "gender", F_REQUIRED, .choices = member_genders, .msg = { \
	    [VALID_MISSING] = "Veuillez indiquer votre civilité.", \
	    [VALID_INVALID] = "Veuillez indiquer votre civilité." } }, \
	{ "birth_date", F_REQUIRED, .max = 10, \
	    .valid = valid_member_birth_date, .msg = { \
	    [VALID_MISSING] = "Vous devez spécifier votre date de naissance.", \
	    [VALID_TOO_YOUNG] = "Vous devez avoir au moins 15 ans pour " \
		"adhérer.", \
	    [VALID_INVALID] = "Cette date de naissance n'est pas valide." } }, \
	{ "phone", 0, .max = 20, .valid = valid_phone, .msg = { \
	    [VALID_INVALID] = "Ce numéro de téléphone n'est pas valide." } }

/* The postal address (features/address.c checks what depends on the
 * country: the commune of a French postal code, a city abroad). Members
 * must give a street and a country; a committee's street is optional, and
 * an event online has no country at all. */
#define ADDRESS_FIELDS(street_flags, country_flags) \
	{ "street", street_flags, .max = 150, .msg = { \
	    [VALID_MISSING] = "L'adresse est obligatoire.", \
	    [VALID_TOO_LONG] = "L'adresse doit comporter au plus 150 " \
		"caractères." } }, \
	{ "postal_code", 0, .max = 15, .msg = { \
	    [VALID_TOO_LONG] = "Le code postal doit contenir moins de 15 " \
		"caractères." } }, \
	{ "country", country_flags, .max = 2, .msg = { \
	    [VALID_MISSING] = "Veuillez choisir un pays.", \
	    [VALID_TOO_LONG] = "Ce pays n'est pas valide." } }, \
	{ "city_code", 0, .max = 5, .msg = { \
	    [VALID_TOO_LONG] = "Cette ville n'est pas une ville française " \
		"valide." } }, \
	{ "city_name", 0, .max = 100, .msg = { \
	    [VALID_TOO_LONG] = "Le nom de la ville doit comporter au plus " \
		"100 caractères." } }
#define MEMBER_ADDRESS_FIELDS ADDRESS_FIELDS(F_REQUIRED, F_REQUIRED)

/* An e-mail address typed in a form; missing: the message when empty. */
#define MEMBER_EMAIL_FIELD(name, missing) \
	{ name, F_REQUIRED, .max = 255, .valid = valid_email, .msg = { \
	    [VALID_MISSING] = missing, \
	    [VALID_INVALID] = "Cette adresse e-mail n'est pas valide." } }

/* address.c: after form_read(), check the address fields against the
 * country (a commune of the postal code in France, a city abroad), and
 * set city_code and city_name to the commune chosen. *communes: those of
 * the postal code when they were looked up (for address_view). 0, or -1
 * when PostgreSQL is unavailable. */
int address_check(struct form *f, PGresult **communes);
/* The address block (values, countries, communes) into the form's view
 * as address_block. 0, or -1 when the countries cannot be had. */
int address_view(struct form *f, PGresult *communes);
/* Are the countries at hand (else PostgreSQL is down and this worker
 * never loaded them)? */
int address_ready(struct req *r);

/*
 * The mails that anyone can make us send to an address by typing it in a
 * form (confirmation again, password reset, "someone tried to join with
 * your address"): at most MAIL_QUOTA an hour per address, whoever asks.
 * 1 when one more may go, 0 when the quota is used up, -1 when Redis is
 * unavailable.
 */
#define MAIL_QUOTA 3
int mail_quota_take(struct req *r, const char *email);

/*
 * consent.c: the subscription types as checkboxes ("sub_<code>", checked
 * in a new form as the type's default_on says), for sign-up and
 * /account/notifications. The types are reference data, loaded once by
 * each worker.
 *
 * consent_fields: base's fields then the checkboxes, as one table (base
 * NULL: the checkboxes only); NULL when the types cannot be had
 * (PostgreSQL down and never loaded). consent_view: the checkboxes with
 * the form's values into the view as subscriptions_block; 0, or -1 on a
 * template error. consent_codes: the ticked types as a PostgreSQL text[]
 * literal ("{national,events}") for STMT_CONSENT_SAVE/SIGNUP.
 */
const struct form_field *consent_fields(struct req *r,
    const struct form_field *base);
int consent_view(struct form *f);
const char *consent_codes(struct form *f);

#endif
