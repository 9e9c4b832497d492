/*
 * media: image variants (GET /img/...) and the media library of the
 * back-office (/admin/media...), plus `civitas-fcgi media-import`.
 *
 * A variant is made once: the first request takes a Redis lock (SET NX PX),
 * reads the original from PostgreSQL, resizes it and stores the result in
 * Redis under img:{file} for IMG_CACHE_TTL; concurrent requests for the same
 * variant wait for it (bounded), and every later request is served from
 * Redis alone. A stored variant is its ETag (16 bytes, a hash of the image)
 * followed by the image; it never changes, since an edit makes a new media.
 */
#include "../core/common.h"
#include "../core/log.h"
#include "../core/valid.h"
#include "../infra/image.h"
#include "features.h"
#include "admin.h"
#include "media.h"

#include <time.h>

#define IMG_CACHE_TTL 2592000	/* seconds a variant stays in Redis: 30 days */
#define IMG_LOCK_MS 30000	/* a resize never takes this long */
#define IMG_WAIT_MS 20000	/* a waiter gives up and works itself */
#define IMG_POLL_MS 20
#define IMG_TAG_BYTES 16
#define IMG_IMMUTABLE "public, max-age=31536000, immutable"
#define ALT_MAX 300
#define STR_(x) #x
#define STR(x) STR_(x)

static const char *
if_none_match(const struct req *r)
{
	return req_header(r, "HTTP_IF_NONE_MATCH");
}

/* "{id}-{preset}.{jpg|webp}", as media_url() writes it. */
struct variant {
	long id;
	const char *id_str;
	const struct preset *p;
	int webp;
	const char *file;
	const char *key;	/* Redis: img:{file} */
};

static int
variant_parse(struct req *r, const char *file, struct variant *v)
{
	const char *dash = strchr(file, '-'), *dot;
	char *name;

	if (!dash || dash == file || dash - file > 18 || file[0] == '0')
		return -1;
	for (const char *c = file; c < dash; c++)
		if (*c < '0' || *c > '9')
			return -1;
	if (!(dot = strchr(dash + 1, '.')))
		return -1;
	v->id_str = arena_strndup(&r->arena, file, (size_t)(dash - file));
	if (parse_long(v->id_str, 1, LONG_MAX, &v->id) < 0)
		return -1;
	name = arena_strndup(&r->arena, dash + 1, (size_t)(dot - dash - 1));
	if (!(v->p = preset_find(name)))
		return -1;
	if (!strcmp(dot + 1, "jpg"))
		v->webp = 0;
	else if (!strcmp(dot + 1, "webp"))
		v->webp = 1;
	else
		return -1;
	v->file = file;
	v->key = arena_printf(&r->arena, "img:%s", file);
	return 0;
}

/* Answer with a variant: 200, or 304 when the client has it. */
static int
variant_serve(struct req *r, const unsigned char *tag, const void *img,
    size_t len, int webp)
{
	char hex[IMG_TAG_BYTES * 2 + 1], etag[IMG_TAG_BYTES * 2 + 3];
	const char *inm = if_none_match(r);

	sodium_bin2hex(hex, sizeof(hex), tag, IMG_TAG_BYTES);
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	resp_header(r, "ETag", etag);
	r->cache = IMG_IMMUTABLE;
	r->ctype = webp ? "image/webp" : "image/jpeg";
	if (inm && (strstr(inm, etag) || !strcmp(inm, "*")))
		return 304;
	buf_reset(&r->body);
	if (buf_append(&r->body, img, len) < 0)
		return 500;	/* over MAX_OUTPUT: no preset is that big */
	return 200;
}

/* From Redis: the status served, or -1 on a miss (or Redis down). */
static int
variant_cached(struct req *r, const struct variant *v)
{
	redisReply *rep = kv(r, "GET %s", v->key);

	if (!rep || rep->type != REDIS_REPLY_STRING ||
	    rep->len <= IMG_TAG_BYTES)
		return -1;
	return variant_serve(r, (const unsigned char *)rep->str,
	    rep->str + IMG_TAG_BYTES, rep->len - IMG_TAG_BYTES, v->webp);
}

static uint32_t
be32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	    (uint32_t)u[2] << 8 | u[3];
}

/* Resize the original, keep the result in Redis, serve it. */
static int
variant_build(struct req *r, const struct variant *v)
{
	const char *params[1] = { v->id_str };
	unsigned char tag[IMG_TAG_BYTES];
	PGresult *res;
	void *img;
	size_t len;
	int w, h, vw, vh;

	res = db_execv(&r->app->db, &r->arena, STMT_MEDIA_ORIGINAL, params,
	    NULL, NULL, 1);
	if (!res)
		return unavailable(r);
	if (PQntuples(res) != 1 || PQgetlength(res, 0, ORIGINAL_WIDTH) != 4 ||
	    PQgetlength(res, 0, ORIGINAL_HEIGHT) != 4)
		return 404;
	w = (int)be32(PQgetvalue(res, 0, ORIGINAL_WIDTH));
	h = (int)be32(PQgetvalue(res, 0, ORIGINAL_HEIGHT));
	preset_size(v->p, w, h, &vw, &vh);
	if (vw <= 0 || image_variant(PQgetvalue(res, 0, ORIGINAL_DATA),
	    (size_t)PQgetlength(res, 0, ORIGINAL_DATA), vw, vh,
	    v->p->height != 0, v->webp,
	    &img, &len) < 0) {
		log_error("media %ld: cannot make %s", v->id, v->file);
		return 500;
	}
	arena_defer(&r->arena, image_free, img);
	crypto_generichash(tag, sizeof(tag), img, len, NULL, 0);
	kv(r, "SET %s %b%b EX %s", v->key, tag, sizeof(tag), img, len,
	    STR(IMG_CACHE_TTL));
	kv(r, "INCR stats:img:resized");
	return variant_serve(r, tag, img, len, v->webp);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * A miss: one request per variant does the work (single flight). The
 * others poll the cache; if the holder fails (its lock goes away with no
 * variant) the next one takes the lock, and after IMG_WAIT_MS a waiter
 * works on its own. Redis down: everyone works, nothing is kept.
 */
static int
variant_make(struct req *r, const struct variant *v)
{
	static const char unlock[] = "if redis.call('get', KEYS[1]) == "
	    "ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
	const char *lock = arena_printf(&r->arena, "lock:%s", v->key);
	char token[TOKEN_LEN + 1];
	redisReply *rep;
	int rc;

	token_new(token);
	for (long waited = 0;; waited += IMG_POLL_MS) {
		if (waited >= IMG_WAIT_MS)
			return variant_build(r, v);	/* the holder is stuck */
		rep = kv(r, "SET %s %s NX PX %s", lock, token, STR(IMG_LOCK_MS));
		if (!rep)
			return variant_build(r, v);	/* Redis down */
		if (rep->type == REDIS_REPLY_STATUS) {
			/* Ours. Someone may have finished just before. */
			if ((rc = variant_cached(r, v)) < 0)
				rc = variant_build(r, v);
			kv(r, "EVAL %s 1 %s %s", unlock, lock, token);
			return rc;
		}
		sleep_ms(IMG_POLL_MS);
		if ((rc = variant_cached(r, v)) >= 0)
			return rc;
	}
}

/*
 * GET /img/{sig}/{file}: public, cookie-free. file is
 * {id}-{preset}.{jpg|webp}, sig its signature (media_sign). 200 (the image,
 * ETag, immutable for a year), 304, 404 (bad signature: nothing else is
 * done; unknown preset or media), 500 (the original cannot be decoded),
 * 503 (PostgreSQL down on a miss).
 */
int
img_get(struct req *r)
{
	const char *sig = r->params[0], *file = r->params[1];
	char want[MEDIA_SIG_LEN + 1];
	struct variant v;
	int rc;

	if (strlen(sig) != MEDIA_SIG_LEN || strlen(file) > 64)
		return 404;
	media_sign(r->app, file, want);
	if (sodium_memcmp(want, sig, MEDIA_SIG_LEN) != 0)
		return 404;
	if (variant_parse(r, file, &v) < 0)
		return 404;
	if ((rc = variant_cached(r, &v)) >= 0)
		return rc;
	return variant_make(r, &v);
}

/* ---- back-office ------------------------------------------------------ */

static const char *
human_size(struct req *r, long bytes)
{
	if (bytes < 1024)
		return arena_printf(&r->arena, "%ld o", bytes);
	if (bytes < 1024 * 1024)
		return arena_printf(&r->arena, "%ld Ko", (bytes + 512) / 1024);
	return arena_printf(&r->arena, "%.1f Mo", bytes / 1048576.0);
}

static const char *
type_name(const char *mime)
{
	if (!strcmp(mime, "image/jpeg"))
		return "JPEG";
	if (!strcmp(mime, "image/png"))
		return "PNG";
	if (!strcmp(mime, "image/webp"))
		return "WebP";
	return "GIF";
}

/* The thumbnail, the alt text (to the image's page), type, size. */
static void
media_cells(struct req *r, const PGresult *res, int i, const char **cells)
{
	struct media_ref m;

	media_ref_read(&m, res, i, MLIST_REF);
	cells[0] = media_html(r, &m, "thumb", "10rem", 0);
	cells[1] = link_html(r, arena_printf(&r->arena, "/admin/media/%ld",
	    m.id), m.alt);
	cells[2] = type_name(db_str(res, i, MLIST_MIME));
	cells[3] = arena_printf(&r->arena, "%d × %d", m.width, m.height);
	cells[4] = html_text(r, human_size(r, db_long(res, i, MLIST_BYTES)));
	cells[5] = html_text(r, db_str(res, i, MLIST_CREATED));
}

/* Its variants leave Redis with it (nginx's copies expire). */
static void
media_deleted(struct req *r, long id)
{
	for (size_t i = 0; i < npresets; i++)
		if (!kv(r, "DEL %s %s",
		    arena_printf(&r->arena, "img:%ld-%s.jpg", id, presets[i].name),
		    arena_printf(&r->arena, "img:%ld-%s.webp", id,
		    presets[i].name)))
			log_error("media %ld deleted, but its cached variants "
			    "stay in Redis until they expire", id);
}

static const struct form_field upload_fields[] = {
	{ "alt", F_REQUIRED, .max = ALT_MAX, .msg = {
	    [VALID_MISSING] = "Décrivez l'image : le texte alternatif est "
		"obligatoire.",
	    [VALID_TOO_LONG] = "300 caractères au plus." } },
	{ "file", 0 },	/* a file part: checked by the upload itself */
	{ NULL }
};

/* The library: the upload form first, the images newest first; articles
 * and home blocks lose a deleted image (ON DELETE SET NULL). */
const struct resource admin_media = {
	.type = "media",
	.title = "Médiathèque",
	.list = STMT_MEDIA_LIST,
	.heads = { "Aperçu", "Texte alternatif", "Type", "Dimensions",
	    "Taille", "Ajoutée le" },
	.cells = media_cells,
	.list_tpl = "admin_media",
	.fields = upload_fields,
	.form_id = "media-form",
	.new_title = "Ajouter une image",
	.create_label = "Ajouter l'image",
	.del = STMT_MEDIA_DELETE,
	.deleted = media_deleted,
	.removed = "L'image « %s » est supprimée.",
};

/* The part named `file`, or NULL when none was chosen. */
static const struct part *
upload_part(struct req *r)
{
	for (size_t i = 0; i < r->files.n; i++)
		if (!strcmp(r->files.v[i].name, "file") && r->files.v[i].len)
			return &r->files.v[i];
	return NULL;
}

/* The last component of a client's file name, UTF-8, at most 200 bytes. */
static const char *
clean_filename(struct req *r, const char *name)
{
	const char *base = name ? name : "";
	size_t n;

	for (const char *c = base; *c; c++)
		if (*c == '/' || *c == '\\')
			base = c + 1;
	n = strlen(base);
	if (n > 200) {
		n = 200;
		while (n > 0 && ((unsigned char)base[n] & 0xc0) == 0x80)
			n--;
	}
	if (!utf8_valid(base, n))
		return "";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)base[i] < 0x20)
			return "";
	return arena_strndup(&r->arena, base, n);
}

PGresult *
media_insert(struct db *db, struct arena *a, const struct image_original *o,
    const char *alt, const char *filename, const char *user_id)
{
	char w[16], h[16], bytes[24];
	const char *params[9] = { o->data, o->mime, w, h, bytes, alt,
	    o->placeholder, filename, user_id };
	int lengths[9] = { (int)o->len };
	int formats[9] = { 1 };

	snprintf(w, sizeof(w), "%d", o->width);
	snprintf(h, sizeof(h), "%d", o->height);
	snprintf(bytes, sizeof(bytes), "%zu", o->len);
	return db_execv(db, a, STMT_MEDIA_INSERT, params, lengths, formats, 0);
}

static void
image_original_defer(void *p)
{
	image_original_release(p);
}

/*
 * POST /admin/media (multipart: file, alt, _csrf). 303 to the new media's
 * page; 422 with the form again (alt kept, the error at its field) for a
 * missing, too large, unknown, oversized or unreadable file or a missing
 * alt text; 503.
 */
int
admin_media_upload_post(struct req *r)
{
	struct form f;
	const struct part *file = upload_part(r);
	struct image_original *o = arena_zalloc(&r->arena, sizeof(*o));
	char msg[160];
	enum image_err err = IMAGE_OK;
	PGresult *res;
	long id;

	form_init(&f, r, upload_fields);
	form_read(&f);
	if (!file)
		form_error(&f, "file", "Choisissez une image (JPEG, PNG, WebP "
		    "ou GIF).");
	/* Decode only what could be kept: without an alt text, the cheap
	 * checks still tell what is wrong with the file. */
	else if (f.errors)
		err = image_check(file->data, file->len, &o->announced);
	else if ((err = image_ingest(file->data, file->len, o)) == IMAGE_OK)
		arena_defer(&r->arena, image_original_defer, o);
	if (err != IMAGE_OK)
		form_error(&f, "file", image_err_message(err, &o->announced,
		    msg, sizeof(msg)));
	if (f.errors)
		return resource_list(r, &admin_media, "/admin/media", &f,
		    err == IMAGE_FAILED ? 500 : 422);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	res = media_insert(&r->app->db, &r->arena, o, form_get(&f, "alt"),
	    clean_filename(r, file->filename), r->user->id_str);
	if (!res || (id = db_long(res, 0, RETURNING_ID)) <= 0 ||
	    audit(r, "media.upload", "media", id, form_get(&f, "alt")) < 0 ||
	    db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	return resp_redirect(r, arena_printf(&r->arena, "/admin/media/%ld", id));
}

/* Every preset of media m: name, size, JPEG and WebP URLs, the image. */
static void
preset_rows(struct req *r, struct view *v, const struct media_ref *m)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (size_t i = 0; i < npresets; i++) {
		const struct preset *p = &presets[i];
		const char *jpg = media_url(r, m->id, p->name, "jpg");
		int vw, vh;

		preset_size(p, m->width, m->height, &vw, &vh);
		view_rows_add(&rows, 6, p->name,
		    arena_printf(&r->arena, "%d × %d", vw, vh), jpg,
		    media_url(r, m->id, p->name, "webp"),
		    arena_printf(&r->arena, "%d", vw),
		    arena_printf(&r->arena, "%d", vh));
	}
	view_rows_set(v, "presets", &rows);
}

static const struct form_field item_fields[] = {
	{ "alt", F_REQUIRED, .max = ALT_MAX, .msg = {
	    [VALID_MISSING] = "Décrivez l'image : le texte alternatif est "
		"obligatoire.",
	    [VALID_TOO_LONG] = "300 caractères au plus." } },
	{ NULL }
};

/* The image's page: every preset, the alt text form (values in f).
 * 200/422; 404; 503. */
static int
media_item_page(struct form *f, int status)
{
	struct req *r = f->r;
	struct media_ref m;
	PGresult *res;
	int rc;

	if ((rc = admin_load(r, STMT_MEDIA_GET, &res)))
		return rc;
	media_ref_read(&m, res, 0, MEDIA_REF_);
	if (status == 200)
		form_set(f, "alt", m.alt);
	admin_chrome(r, &f->v, "/admin/media");
	view_int(&f->v, "id", m.id);
	view_str(&f->v, "alt", m.alt);
	view_str(&f->v, "type", type_name(db_str(res, 0, MEDIA_MIME)));
	view_str(&f->v, "dimensions",
	    arena_printf(&r->arena, "%d × %d", m.width, m.height));
	view_str(&f->v, "size", human_size(r, db_long(res, 0, MEDIA_BYTES)));
	view_str(&f->v, "created", db_str(res, 0, MEDIA_CREATED));
	view_str(&f->v, "filename", db_str(res, 0, MEDIA_FILENAME));
	view_str(&f->v, "uploader", db_str(res, 0, MEDIA_UPLOADER));
	view_raw_html_already_safe(&f->v, "picture",
	    media_html(r, &m, "hero", "(min-width: 60em) 50vw, 100vw", 1));
	preset_rows(r, &f->v, &m);
	return form_render(f, status, "admin_media_item", "Image");
}

/* GET /admin/media/{id}: the image at each preset, the alt text form.
 * 200, 404, 503. */
int
admin_media_item_get(struct req *r)
{
	struct form f;

	form_init(&f, r, item_fields);
	return media_item_page(&f, 200);
}

/* POST /admin/media/{id} (alt): 303 to the page, 422 (alt missing or too
 * long), 404, 503. */
int
admin_media_item_post(struct req *r)
{
	struct form f;
	long id = req_id_long(r);
	PGresult *res;

	if (!id)
		return 404;
	form_init(&f, r, item_fields);
	if (form_read(&f))
		return media_item_page(&f, 422);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	res = q(r, STMT_MEDIA_UPDATE_ALT, r->params[0], form_get(&f, "alt"));
	if (res && PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		return 404;
	}
	if (!res || audit(r, "media.update", "media", id,
	    form_get(&f, "alt")) < 0 || db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	return resp_redirect(r, arena_printf(&r->arena, "/admin/media/%ld", id));
}

/* ---- command line ----------------------------------------------------- */

/* The whole file, at most IMAGE_MAX_BYTES + 1 bytes (so that a bigger one
 * is seen as too large without being read). NULL with a message. */
static char *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *data;

	if (!fp) {
		fprintf(stderr, "media-import: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	data = xmalloc(IMAGE_MAX_BYTES + 1);
	*len = fread(data, 1, IMAGE_MAX_BYTES + 1, fp);
	if (ferror(fp)) {
		fprintf(stderr, "media-import: %s: read error\n", path);
		free(data);
		data = NULL;
	}
	fclose(fp);
	return data;
}

/*
 * `civitas-fcgi media-import FILE ALT`: the upload checks and pipeline,
 * then the row (no uploader). Prints the new id; 0, 1 (refused or
 * PostgreSQL), 2 (bad alt text).
 */
int
cli_media_import(struct app *app, const char *path, const char *alt)
{
	struct image_original o;
	struct arena a;
	PGresult *res;
	enum image_err err;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *data, msg[160], *clean;
	size_t len = 0;
	int rc = 1;

	clean = xmalloc(strlen(alt) + 1);
	text_squeeze(alt, clean);
	if (!utf8_valid(clean, strlen(clean)) || !*clean ||
	    utf8_length(clean) > ALT_MAX) {
		fprintf(stderr, "media-import: the alt text must be 1 to 300 "
		    "characters of UTF-8\n");
		free(clean);
		return 2;
	}
	if (!(data = read_file(path, &len))) {
		free(clean);
		return 1;
	}
	if ((err = image_ingest(data, len, &o)) != IMAGE_OK) {
		fprintf(stderr, "media-import: %s: %s\n", path,
		    image_err_message(err, &o.announced, msg, sizeof(msg)));
		goto out;
	}
	arena_init(&a, 4096);
	res = media_insert(&app->db, &a, &o, clean,
	    utf8_valid(base, strlen(base)) ? base : "", NULL);
	if (res) {
		printf("%ld\n", db_long(res, 0, RETURNING_ID));
		rc = 0;
	} else
		fprintf(stderr, "media-import: could not write to PostgreSQL\n");
	arena_release(&a);
	image_original_release(&o);
out:
	free(data);
	free(clean);
	return rc;
}
