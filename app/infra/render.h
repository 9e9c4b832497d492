/*
 * render: pages. A template inside the site's layout (title, head,
 * assets, the member's menu), and the error pages. Every value a page
 * shows went through view.h, which escapes it.
 */
#ifndef CIVITAS_RENDER_H
#define CIVITAS_RENDER_H

#include "app.h"

/* A page: template `tpl` with v, inside the layout, under `title`.
 * Returns status, or 500 when a template failed. */
int render(struct req *r, int status, const char *tpl, struct view *v,
    const char *title);
/* The error page for a status: HTML, or problem+json for R_JSON routes
 * and /api/ paths; message NULL: error_message(status). Returns the status
 * answered (500 when even the error page failed). */
int render_error(struct req *r, int status, const char *message);
/* Render the sub-template tpl with v into v's raw variable `name`
 * (templates have no include). 0, or -1 on a template error. */
int render_include(struct req *r, struct view *v, const char *tpl,
    const char *name);

#endif
