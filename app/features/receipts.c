/*
 * receipts: a donor's tax receipt of a year as a PDF (infra/receipt.h),
 * for the member (by the e-mail address of the account), for a donor
 * without an account (the signed link of the thank-you mail), and for
 * operators (`civitas-fcgi receipt YEAR NUMBER > file.pdf`).
 *
 * A receipt is one row of tax_receipts per (e-mail, year), numbered by
 * tax_receipt_for() when a gift is paid (sql/006_donations.sql); the PDF
 * is drawn again at each download from the gifts not refunded, so a
 * refund shows at once. A receipt without such a gift is no receipt
 * (404).
 *
 * The link's token is mail_token(APP_SECRET's key, "receipt", receipt id,
 * year): it opens that receipt only, and a changed character or another
 * id or year is a 404 (receipt_link() builds it; the thank-you mail uses
 * the same).
 *
 * The organisation printed on it comes from the environment:
 * RECEIPT_ORG_NAME and RECEIPT_ORG_ADDRESS (lines separated by ";"), with
 * the demo's values by default.
 */
#include "../core/common.h"
#include "../core/log.h"
#include "../infra/receipt.h"
#include "features.h"

#define ORG_NAME_DEFAULT "Association de financement de civitas"
#define ORG_ADDRESS_DEFAULT "1 place de la République;75003 Paris"
#define PDF_MAX (4 * 1024 * 1024)
#define YEAR_MIN 2000
#define YEAR_MAX 2100

static const char *
env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

void
receipt_link(const unsigned char key[32], const char *base_url, long id,
    int year, char *out, size_t n)
{
	char token[MAIL_TOKEN_MAX];

	mail_token(key, "receipt", id, year, token);
	snprintf(out, n, "%s/receipts/%s", base_url, token);
}

/*
 * The PDF of the receipt in res (row 0) into out. 0; -1 PostgreSQL
 * failed; -2 the drawing failed.
 */
static int
receipt_render(struct db *db, struct arena *a, PGresult *res,
    struct buf *out)
{
	struct receipt_doc d = { 0 };
	struct receipt_gift *g;
	PGresult *gifts;
	char *address;
	int i, n;

	if (!(gifts = db_exec(db, a, STMT_RECEIPT_GIFTS,
	    db_str(res, 0, RECEIPT_ID))))
		return -1;
	n = PQntuples(gifts);
	g = arena_alloc(a, sizeof(*g) * (size_t)(n ? n : 1));
	for (i = 0; i < n; i++) {
		g[i].date = db_str(gifts, i, RGIFT_DATE);
		g[i].cents = db_long(gifts, i, RGIFT_CENTS);
		d.total_cents += g[i].cents;
	}
	address = arena_strdup(a, env_or("RECEIPT_ORG_ADDRESS",
	    ORG_ADDRESS_DEFAULT));
	for (char *s = address; *s; s++)
		if (*s == ';')
			*s = '\n';
	d.org_name = env_or("RECEIPT_ORG_NAME", ORG_NAME_DEFAULT);
	d.org_address = address;
	d.year = (int)db_long(res, 0, RECEIPT_YEAR);
	d.number = db_long(res, 0, RECEIPT_NUMBER);
	d.issued = db_str(res, 0, RECEIPT_ISSUED);
	d.civility = strcmp(db_str(res, 0, RECEIPT_CIVILITY), "mme") ?
	    "Monsieur" : "Madame";
	d.first_name = db_str(res, 0, RECEIPT_FIRST_NAME);
	d.last_name = db_str(res, 0, RECEIPT_LAST_NAME);
	d.street = db_str(res, 0, RECEIPT_STREET);
	d.postal_code = db_str(res, 0, RECEIPT_POSTAL_CODE);
	d.city = db_str(res, 0, RECEIPT_CITY);
	d.country = db_str(res, 0, RECEIPT_COUNTRY);
	d.gifts = g;
	d.ngifts = (size_t)n;
	return receipt_pdf(&d, out) < 0 ? -2 : 0;
}

/* The PDF of res (no row: 404) as the response. */
static int
receipt_response(struct req *r, PGresult *res)
{
	struct buf pdf;
	char num[RECEIPT_NUMBER_MAX];
	int rc;

	if (!res)
		return unavailable(r);
	if (PQntuples(res) == 0)
		return 404;
	buf_init(&pdf, PDF_MAX);
	rc = receipt_render(&r->app->db, &r->arena, res, &pdf);
	if (rc == 0) {
		buf_reset(&r->body);
		buf_append(&r->body, pdf.data ? pdf.data : "", pdf.len);
	}
	buf_release(&pdf);
	if (rc == -1)
		return unavailable(r);
	if (rc < 0) {
		log_error("receipt: the PDF of receipt %s could not be drawn",
		    db_str(res, 0, RECEIPT_ID));
		return 500;
	}
	receipt_number((int)db_long(res, 0, RECEIPT_YEAR),
	    db_long(res, 0, RECEIPT_NUMBER), num, sizeof(num));
	r->ctype = "application/pdf";
	r->cache = "private, no-store";
	resp_header(r, "Content-Disposition", arena_printf(&r->arena,
	    "attachment; filename=\"recu-fiscal-%s.pdf\"", num));
	resp_header(r, "X-Content-Type-Options", "nosniff");
	return 200;
}

/*
 * GET /account/donations/receipts/{year}: the member's receipt of that
 * year (matched by the account's e-mail address). 200 PDF; 303 to login;
 * 404 no such receipt (another member's, a year without gifts, a year
 * that is not one); 503.
 */
int
receipt_account_get(struct req *r)
{
	long year;
	char y[12];

	/* Four digits exactly: one URL per receipt. */
	if (strlen(r->params[0]) != 4 || strspn(r->params[0], "0123456789")
	    != 4 || parse_long(r->params[0], YEAR_MIN, YEAR_MAX, &year) < 0)
		return 404;
	snprintf(y, sizeof(y), "%ld", year);
	return receipt_response(r, q(r, STMT_RECEIPT_OF_MEMBER,
	    r->user->id_str, y));
}

/*
 * GET /receipts/{token}: the receipt of the signed link (no account
 * needed). 200 PDF; 404 a bad token or a receipt without gifts; 503.
 */
int
receipt_token_get(struct req *r)
{
	long id, year;
	char i[24], y[12];

	r->head_html = "<meta name=\"robots\" content=\"noindex\">\n";
	if (mail_token_parse(r->cfg->secret, "receipt", r->params[0], &id,
	    &year) < 0 || year < YEAR_MIN || year > YEAR_MAX)
		return 404;
	snprintf(i, sizeof(i), "%ld", id);
	snprintf(y, sizeof(y), "%ld", year);
	return receipt_response(r, q(r, STMT_RECEIPT_BY_ID, i, y));
}

/* `civitas-fcgi receipt YEAR NUMBER`: the PDF on stdout. 0; 1 no such
 * receipt or PostgreSQL failed; 64 usage. */
int
cli_receipt(struct app *app, const char *year, const char *number)
{
	struct arena a;
	struct buf pdf;
	PGresult *res;
	long y, n;
	char ys[24], ns[24];
	int rc = 1;

	if (parse_long(year, YEAR_MIN, YEAR_MAX, &y) < 0 ||
	    parse_long(number, 1, LONG_MAX, &n) < 0) {
		fprintf(stderr, "receipt: usage: receipt YEAR NUMBER\n");
		return 64;
	}
	snprintf(ys, sizeof(ys), "%ld", y);
	snprintf(ns, sizeof(ns), "%ld", n);
	arena_init(&a, 16384);
	buf_init(&pdf, PDF_MAX);
	res = db_exec(&app->db, &a, STMT_RECEIPT_BY_NUMBER, ys, ns);
	if (!res)
		fprintf(stderr, "receipt: PostgreSQL failed\n");
	else if (PQntuples(res) == 0)
		fprintf(stderr, "receipt: no receipt %s of %s with a gift\n",
		    ns, ys);
	else if (receipt_render(&app->db, &a, res, &pdf) == 0 &&
	    fwrite(pdf.data, 1, pdf.len, stdout) == pdf.len &&
	    fflush(stdout) == 0)
		rc = 0;
	else
		fprintf(stderr, "receipt: could not write the PDF\n");
	buf_release(&pdf);
	arena_release(&a);
	return rc;
}
