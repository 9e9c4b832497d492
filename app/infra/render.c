#include "../core/common.h"
#include "csrf.h"
#include "render.h"

int
render(struct req *r, int status, const char *tpl, struct view *v,
    const char *title)
{
	struct buf content;
	struct view layout;
	int rc;

	buf_init(&content, MAX_OUTPUT);
	rc = view_render(&r->app->views, tpl, v, &content);
	if (rc == 0) {
		view_init(&layout, &r->arena, 0);
		view_str(&layout, "title", title);
		view_str(&layout, "description", r->description ? r->description :
		    "civitas, la plateforme du mouvement : adhérez, agissez "
		    "près de chez vous.");
		view_raw_html_already_safe(&layout, "head",
		    r->head_html ? r->head_html : "");
		view_str(&layout, "css", r->app->asset_css);
		view_str(&layout, "js", r->app->asset_js);
		view_int(&layout, "logged_in", r->user != NULL);
		view_int(&layout, "is_admin", (r->roles & ROLE_ADMIN) != 0);
		view_str(&layout, "csrf", r->user ? csrf_token(r) : "");
		view_raw_html_already_safe(&layout, "content", content.data);
		buf_reset(&r->body);
		rc = view_render(&r->app->views, "layout", &layout, &r->body);
	}
	buf_release(&content);
	if (rc < 0) {
		buf_reset(&r->body);
		buf_puts(&r->body, "Erreur interne.");
		r->ctype = "text/plain; charset=utf-8";
		return 500;
	}
	r->ctype = "text/html; charset=utf-8";
	return status;
}

int
render_error(struct req *r, int status, const char *message)
{
	struct view v;

	if (!message)
		message = error_message(status);
	if ((r->route && (r->route->flags & R_JSON)) ||
	    !strncmp(r->path ? r->path : "", "/api/", 5))
		return resp_problem(r, status, status_text(status), message);
	view_init(&v, &r->arena, 0);
	view_int(&v, "status", status);
	view_str(&v, "message", message);
	return render(r, status, "error", &v, status_text(status)) == 500 &&
	    status != 500 ? 500 : status;
}

int
render_include(struct req *r, struct view *v, const char *tpl,
    const char *name)
{
	struct buf block;
	int rc;

	buf_init(&block, MAX_OUTPUT);
	rc = view_render(&r->app->views, tpl, v, &block);
	view_raw_html_already_safe(v, name, rc == 0 ? block.data : "");
	buf_release(&block);
	return rc;
}
