/*
 * donations: what the donation files share (donations.c,
 * donations_notify.c, donations_account.c).
 */
#ifndef CIVITAS_DONATIONS_H
#define CIVITAS_DONATIONS_H

#include "../core/arena.h"

/* Our PBX_CMD for a gift: its uuid, and for a monthly gift the
 * subscription fields (PBX_2MONT + cents on 10 digits + PBX_NBPAIE00
 * PBX_FREQ01PBX_QUAND00). */
const char *donation_reference(struct arena *a, const char *uuid,
    const char *kind, long cents);

#endif
