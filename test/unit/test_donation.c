/* donation: amounts, net cost, months left, the status table, the split
 * of a Paybox notification. */
#include "../../app/core/common.h"
#include "../../app/core/donation.h"
#include "unit.h"

static long
amount(const char *s, int want_rc)
{
	long c = -1;

	EQ_INT(donation_amount_parse(s, &c), want_rc);
	return c;
}

static void
amount_accepts_euros_and_cents(void)
{
	EQ_INT(amount("50", DONATION_AMOUNT_OK), 5000);
	EQ_INT(amount("50,5", DONATION_AMOUNT_OK), 5050);
	EQ_INT(amount("50.25", DONATION_AMOUNT_OK), 5025);
	EQ_INT(amount("0,01", DONATION_AMOUNT_OK), 1);
	EQ_INT(amount("0.1", DONATION_AMOUNT_OK), 10);
	EQ_INT(amount("007", DONATION_AMOUNT_OK), 700);
	EQ_INT(amount("7500", DONATION_AMOUNT_OK), 750000);
	EQ_INT(amount("7500,00", DONATION_AMOUNT_OK), 750000);
	EQ_INT(amount(",5", DONATION_AMOUNT_SYNTAX), 0);
}

static void
amount_refuses_the_rest(void)
{
	amount("", DONATION_AMOUNT_EMPTY);
	amount(NULL, DONATION_AMOUNT_EMPTY);
	amount("50.255", DONATION_AMOUNT_CENTS);
	amount("50,250", DONATION_AMOUNT_CENTS);
	amount("0,001", DONATION_AMOUNT_CENTS);
	amount("-1", DONATION_AMOUNT_SYNTAX);
	amount("+1", DONATION_AMOUNT_SYNTAX);
	amount("1e3", DONATION_AMOUNT_SYNTAX);
	amount("50,", DONATION_AMOUNT_SYNTAX);
	amount("50.", DONATION_AMOUNT_SYNTAX);
	amount(".", DONATION_AMOUNT_SYNTAX);
	amount("5 000", DONATION_AMOUNT_SYNTAX);
	amount("1,000.50", DONATION_AMOUNT_SYNTAX);
	amount("50€", DONATION_AMOUNT_SYNTAX);
	amount(" 50", DONATION_AMOUNT_SYNTAX);
	amount("0x10", DONATION_AMOUNT_SYNTAX);
	amount("0", DONATION_AMOUNT_ZERO);
	amount("0,00", DONATION_AMOUNT_ZERO);
	amount("7500,01", DONATION_AMOUNT_TOO_BIG);
	amount("7501", DONATION_AMOUNT_TOO_BIG);
	amount("99999999999999999999999", DONATION_AMOUNT_TOO_BIG);
	amount("999999999,99", DONATION_AMOUNT_TOO_BIG);
}

static void
net_cost_is_34_percent(void)
{
	EQ_INT(donation_net_cents(1000), 340);
	EQ_INT(donation_net_cents(2000), 680);
	EQ_INT(donation_net_cents(5000), 1700);
	EQ_INT(donation_net_cents(10000), 3400);
	EQ_INT(donation_net_cents(20000), 6800);
	EQ_INT(donation_net_cents(750000), 255000);
	EQ_INT(donation_net_cents(1), 0);	/* 0.34 */
	EQ_INT(donation_net_cents(2), 1);	/* 0.68 */
	EQ_INT(donation_net_cents(125), 43);	/* 42.5 half up */
}

static void
months_left_counts_the_current_one(void)
{
	EQ_INT(donation_months_left(1), 12);
	EQ_INT(donation_months_left(6), 7);
	EQ_INT(donation_months_left(12), 1);
	EQ_INT(donation_months_left(0), 0);
	EQ_INT(donation_months_left(13), 0);
	EQ_INT(donation_needed_cents(0, 5000, 12), 5000);
	EQ_INT(donation_needed_cents(1, 5000, 12), 5000);
	EQ_INT(donation_needed_cents(1, 5000, 1), 60000);
	EQ_INT(donation_needed_cents(1, 1000, 9), 4000);
}

static void
euros_formatted_the_french_way(void)
{
	char s[DONATION_EUROS_MAX];

	donation_format_euros(5000, s, sizeof(s));
	EQ_STR(s, "50,00\xc2\xa0\xe2\x82\xac");
	donation_format_euros(750000, s, sizeof(s));
	EQ_STR(s, "7\xc2\xa0" "500,00\xc2\xa0\xe2\x82\xac");
	donation_format_euros(5, s, sizeof(s));
	EQ_STR(s, "0,05\xc2\xa0\xe2\x82\xac");
	donation_format_euros(123456789, s, sizeof(s));
	EQ_STR(s, "1\xc2\xa0" "234\xc2\xa0" "567,89\xc2\xa0\xe2\x82\xac");
	donation_format_euros(-3, s, sizeof(s));
	EQ_STR(s, "0,00\xc2\xa0\xe2\x82\xac");
}

/* Every (kind, from, to) pair: exactly these are allowed. */
static void
status_table_allows_exactly_these_moves(void)
{
	static const struct { int kind, from, to; } allowed[] = {
		{ DONATION_ONCE, DS_PENDING, DS_PAID },
		{ DONATION_ONCE, DS_PENDING, DS_REFUSED },
		{ DONATION_ONCE, DS_PENDING, DS_CANCELLED },
		{ DONATION_ONCE, DS_PENDING, DS_EXPIRED },
		{ DONATION_MONTHLY, DS_PENDING, DS_ACTIVE },
		{ DONATION_MONTHLY, DS_PENDING, DS_REFUSED },
		{ DONATION_MONTHLY, DS_PENDING, DS_CANCELLED },
		{ DONATION_MONTHLY, DS_PENDING, DS_EXPIRED },
		{ DONATION_MONTHLY, DS_ACTIVE, DS_ENDED },
	};
	int seen = 0;

	for (int k = 0; k < DONATION_KIND__MAX; k++)
		for (int from = 0; from < DS__MAX; from++)
			for (int to = 0; to < DS__MAX; to++) {
				int want = 0;

				for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
					want |= allowed[i].kind == k &&
					    allowed[i].from == from &&
					    allowed[i].to == to;
				seen += want;
				if (donation_transition_allowed(k, from, to) !=
				    want)
					fprintf(stderr, "  %s %s -> %s\n",
					    donation_kind_names[k],
					    donation_status_names[from],
					    donation_status_names[to]);
				EQ_INT(donation_transition_allowed(k, from, to),
				    want);
			}
	EQ_INT(seen, (int)ARRAY_SIZE(allowed));
	CHECK(!donation_transition_allowed(-1, DS_PENDING, DS_PAID));
	CHECK(!donation_transition_allowed(DONATION_KIND__MAX, DS_PENDING,
	    DS_PAID));
	CHECK(!donation_transition_allowed(DONATION_ONCE, -1, DS_PAID));
	CHECK(!donation_transition_allowed(DONATION_ONCE, DS_PENDING, DS__MAX));
	EQ_INT(donation_paid_status(DONATION_ONCE), DS_PAID);
	EQ_INT(donation_paid_status(DONATION_MONTHLY), DS_ACTIVE);
}

static void
names_round_trip(void)
{
	for (int i = 0; i < DS__MAX; i++) {
		EQ_INT(donation_status_from(donation_status_names[i]), i);
		CHECK(donation_status_labels[i] != NULL);
	}
	for (int i = 0; i < DONATION_KIND__MAX; i++)
		EQ_INT(donation_kind_from(donation_kind_names[i]), i);
	EQ_INT(donation_status_from("PAID"), -1);
	EQ_INT(donation_status_from(NULL), -1);
	EQ_INT(donation_kind_from("yearly"), -1);
}

static void
split_takes_the_raw_bytes_before_sign(void)
{
	const char *q = "Mt=5000&Ref=abc%20d&Auto=XXXXXX&Erreur=00000"
	    "&idtrans=7&abo=&Sign=AbC%2Bd%3D";
	const char *sig = NULL;
	size_t n = 0;

	EQ_INT(donation_split_signed(q, &n, &sig), 0);
	EQ_INT(n, strlen(q) - strlen("&Sign=AbC%2Bd%3D"));
	EQ_STR(sig, "AbC%2Bd%3D");
	EQ_INT(donation_split_signed("Mt=1&Ref=x", &n, &sig), -1);
	EQ_INT(donation_split_signed("&Sign=x", &n, &sig), -1);
	EQ_INT(donation_split_signed("Mt=1&Sign=x&Ref=y", &n, &sig), -1);
	EQ_INT(donation_split_signed("Mt=1&Sign=x&Sign=y", &n, &sig), -1);
	EQ_INT(donation_split_signed(NULL, &n, &sig), -1);
	EQ_INT(donation_split_signed("Mt=1&Sign=", &n, &sig), 0);
	EQ_STR(sig, "");
}

static void
ref_carries_the_uuid(void)
{
	char u[37];

	EQ_INT(donation_ref_uuid("0b7c6f2e-8d1a-4c3b-9e5f-1a2b3c4d5e6f", u), 0);
	EQ_STR(u, "0b7c6f2e-8d1a-4c3b-9e5f-1a2b3c4d5e6f");
	EQ_INT(donation_ref_uuid("0b7c6f2e-8d1a-4c3b-9e5f-1a2b3c4d5e6f"
	    "PBX_2MONT0000005000PBX_NBPAIE00PBX_FREQ01PBX_QUAND00", u), 0);
	EQ_STR(u, "0b7c6f2e-8d1a-4c3b-9e5f-1a2b3c4d5e6f");
	EQ_INT(donation_ref_uuid("0b7c6f2e-8d1a-4c3b-9e5f-1a2b3c4d5e6", u), -1);
	EQ_INT(donation_ref_uuid("0b7c6f2e-8d1a-4c3b-9e5f-1a2b3c4d5e6fX", u),
	    -1);
	EQ_INT(donation_ref_uuid("0B7C6F2E-8d1a-4c3b-9e5f-1a2b3c4d5e6f", u),
	    -1);
	EQ_INT(donation_ref_uuid("0b7c6f2e_8d1a-4c3b-9e5f-1a2b3c4d5e6f", u),
	    -1);
	EQ_INT(donation_ref_uuid("", u), -1);
	EQ_INT(donation_ref_uuid(NULL, u), -1);
	CHECK(donation_uuid_wellformed("00000000-0000-0000-0000-000000000000"));
	CHECK(!donation_uuid_wellformed("00000000-0000-0000-0000-0000000000000"));
}

UNIT_SUITE(donation,
    UNIT(amount_accepts_euros_and_cents),
    UNIT(amount_refuses_the_rest),
    UNIT(net_cost_is_34_percent),
    UNIT(months_left_counts_the_current_one),
    UNIT(euros_formatted_the_french_way),
    UNIT(status_table_allows_exactly_these_moves),
    UNIT(names_round_trip),
    UNIT(split_takes_the_raw_bytes_before_sign),
    UNIT(ref_carries_the_uuid))
