/*
 * organisations: what the organisation pages of issue 11 share
 * (organisations.c: the wizard and the member's list;
 * organisation_pages.c: the public page, the managers' dashboard, the
 * managers and their invitations; organisation_moderation.c: referents
 * and admins). Authorisation comes from features/volunteer.h's roles on
 * *that* organisation, never from a form field.
 */
#ifndef CIVITAS_ORGANISATIONS_H
#define CIVITAS_ORGANISATIONS_H

#include "volunteer.h"

/* "Association", "Collectivité territoriale"... for a stored legal_kind. */
const char *org_legal_kind_label(const char *kind);
/* The stored legal kinds, NULL-ended (a form field's choices). */
extern const char *const org_legal_kinds[];

#endif
