/* valid: what people type in forms. */
#include "../../app/core/common.h"
#include "../../app/core/valid.h"
#include "unit.h"

static char out[1024];

static int
name(const char *in)
{
	memset(out, 0x55, sizeof(out));
	return valid_person_name(in, out, sizeof(out));
}

static int
email(const char *in)
{
	memset(out, 0x55, sizeof(out));
	return valid_email(in, out, sizeof(out));
}

static char *
repeat(char *dst, size_t dstsz, const char *unit, size_t times)
{
	size_t o = 0, n = strlen(unit);

	for (size_t i = 0; i < times && o + n < dstsz; i++, o += n)
		memcpy(dst + o, unit, n);
	dst[o] = '\0';
	return dst;
}

static void
utf8_length_counts_code_points(void)
{
	EQ_INT(utf8_length(""), 0);
	EQ_INT(utf8_length("abc"), 3);
	EQ_INT(utf8_length("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), 3);
	EQ_INT(utf8_length("Élodie"), 6);
}

static void
text_squeeze_whitespace(void)
{
	char o[64];

	text_squeeze("  a \t b\n\nc  ", o);
	EQ_STR(o, "a b c");
	text_squeeze("", o);
	EQ_STR(o, "");
	text_squeeze(" \t\r\n\v\f ", o);
	EQ_STR(o, "");
	text_squeeze("Saint-\xc3\x89tienne   du\xc2\xa0" "Bois", o);
	EQ_STR(o, "Saint-\xc3\x89tienne du\xc2\xa0" "Bois");	/* NBSP kept */
	text_squeeze("x", o);
	EQ_STR(o, "x");
}

static void
person_name_recased(void)
{
	if (EQ_INT(name("jean-pauL"), VALID_OK))
		EQ_STR(out, "Jean-Paul");
	if (EQ_INT(name("d'ARTAGNAN"), VALID_OK))
		EQ_STR(out, "D'Artagnan");
	if (EQ_INT(name("élodie"), VALID_OK))
		EQ_STR(out, "Élodie");
	if (EQ_INT(name("ÉLODIE"), VALID_OK))
		EQ_STR(out, "Élodie");
	if (EQ_INT(name("o\xe2\x80\x99neil"), VALID_OK))	/* ’ */
		EQ_STR(out, "O\xe2\x80\x99Neil");
	if (EQ_INT(name("marie claire"), VALID_OK))
		EQ_STR(out, "Marie Claire");
	if (EQ_INT(name("st. john"), VALID_OK))
		EQ_STR(out, "St. John");
	if (EQ_INT(name("Lo"), VALID_OK))
		EQ_STR(out, "Lo");
}

static void
person_name_length(void)
{
	char in[512];

	EQ_INT(name(""), VALID_MISSING);
	EQ_INT(valid_person_name(NULL, out, sizeof(out)), VALID_MISSING);
	EQ_INT(name("a"), VALID_TOO_SHORT);
	/* Code points, not bytes: "é" is 2 bytes but 1 letter. */
	EQ_INT(name("é"), VALID_TOO_SHORT);
	EQ_INT(name("éé"), VALID_OK);
	EQ_INT(name(repeat(in, sizeof(in), "a", 50)), VALID_OK);
	EQ_INT(strlen(out), 50);
	EQ_INT(name(repeat(in, sizeof(in), "a", 51)), VALID_TOO_LONG);
	EQ_INT(name(repeat(in, sizeof(in), "é", 50)), VALID_OK);
	EQ_INT(name(repeat(in, sizeof(in), "é", 51)), VALID_TOO_LONG);
}

static void
person_name_bad_chars(void)
{
	EQ_INT(name("Jean2"), VALID_BAD_CHARS);
	EQ_INT(name("1234"), VALID_BAD_CHARS);
	EQ_INT(name("Jean_Paul"), VALID_BAD_CHARS);
	EQ_INT(name("<b>Jean</b>"), VALID_BAD_CHARS);
	EQ_INT(name("Jean\tPaul"), VALID_BAD_CHARS);
	EQ_INT(name("Jean\xf0\x9f\x98\x80"), VALID_BAD_CHARS);	/* emoji */
	/* Invalid UTF-8. */
	EQ_INT(name("Jean\xff"), VALID_BAD_CHARS);
	EQ_INT(name("Jos\xc3"), VALID_BAD_CHARS);
	EQ_INT(name("\xc0\x80" "ab"), VALID_BAD_CHARS);
	EQ_INT(name("ab\xed\xa0\x80"), VALID_BAD_CHARS);
}

static void
person_name_needs_a_letter(void)
{
	/* Punctuation alone is no name; a name starts with a letter. */
	EQ_INT(name("--"), VALID_INVALID);
	EQ_INT(name("''"), VALID_INVALID);
	EQ_INT(name(". ."), VALID_INVALID);
	EQ_INT(name("-Jean"), VALID_INVALID);
	EQ_INT(name("\xe2\x80\x99" "ab"), VALID_INVALID);	/* ’ab */
	EQ_INT(name(" Jean"), VALID_INVALID);
	if (EQ_INT(name("A."), VALID_OK))
		EQ_STR(out, "A.");
}

static void
person_name_small_output(void)
{
	char small[4];

	memset(small, 0x55, sizeof(small));
	CHECK(valid_person_name("jean", small, sizeof(small)) != VALID_OK);
	CHECK(valid_person_name("jo", small, 3) == VALID_OK);
	EQ_STR(small, "Jo");
}

static void
email_ok_lowercased(void)
{
	char in[300];

	if (EQ_INT(email("Jean.Dupont@Example.FR"), VALID_OK))
		EQ_STR(out, "jean.dupont@example.fr");
	if (EQ_INT(email("a@b.co"), VALID_OK))
		EQ_STR(out, "a@b.co");
	if (EQ_INT(email("x+tag_1@mail.sub-domain.org"), VALID_OK))
		EQ_STR(out, "x+tag_1@mail.sub-domain.org");
	/* 64 + 1 + 190 = 255 bytes: the maximum. */
	repeat(in, sizeof(in), "a", 64);
	in[64] = '@';
	repeat(in + 65, sizeof(in) - 65, "b", 186);
	memcpy(in + 65 + 186, ".com", 5);
	EQ_INT(strlen(in), 255);
	EQ_INT(email(in), VALID_OK);
}

static void
email_refused(void)
{
	char in[300];

	EQ_INT(email(""), VALID_MISSING);
	EQ_INT(valid_email(NULL, out, sizeof(out)), VALID_MISSING);
	EQ_INT(email("jean.dupont.example.fr"), VALID_INVALID);
	EQ_INT(email("a@b@c.fr"), VALID_INVALID);
	EQ_INT(email("@b.fr"), VALID_INVALID);
	EQ_INT(email("a@localhost"), VALID_INVALID);
	EQ_INT(email("a@b."), VALID_INVALID);
	EQ_INT(email("a@.b.fr"), VALID_INVALID);
	EQ_INT(email("a@b..fr"), VALID_INVALID);
	EQ_INT(email(".a@b.fr"), VALID_INVALID);
	EQ_INT(email("a.@b.fr"), VALID_INVALID);
	EQ_INT(email("jean dupont@b.fr"), VALID_INVALID);
	EQ_INT(email(" a@b.fr"), VALID_INVALID);
	EQ_INT(email("a@b.fr "), VALID_INVALID);
	EQ_INT(email("a@b.fr\n"), VALID_INVALID);
	EQ_INT(email("a<b>@c.fr"), VALID_INVALID);
	EQ_INT(email("\"a\"@c.fr"), VALID_INVALID);
	/* Local part over 64 bytes. */
	repeat(in, sizeof(in), "a", 65);
	memcpy(in + 65, "@b.fr", 6);
	EQ_INT(email(in), VALID_INVALID);
	/* 256 bytes. */
	repeat(in, sizeof(in), "a", 64);
	in[64] = '@';
	repeat(in + 65, sizeof(in) - 65, "b", 187);
	memcpy(in + 65 + 187, ".com", 5);
	EQ_INT(strlen(in), 256);
	EQ_INT(email(in), VALID_TOO_LONG);
	/* The output size is respected. */
	CHECK(valid_email("a@b.fr", out, 6) != VALID_OK);
	CHECK(valid_email("a@b.fr", out, 7) == VALID_OK);
}

static void
password_length(void)
{
	char pw[1100];

	EQ_INT(valid_password(""), VALID_MISSING);
	EQ_INT(valid_password(NULL), VALID_MISSING);
	EQ_INT(valid_password("abcdefg"), VALID_TOO_SHORT);
	EQ_INT(valid_password("abcdefgh"), VALID_OK);
	/* Code points, not bytes: 7 accented letters are 14 bytes. */
	EQ_INT(valid_password("ééééééé"), VALID_TOO_SHORT);
	EQ_INT(valid_password("éééééééé"), VALID_OK);
	EQ_INT(valid_password("日本語のパスワ"), VALID_TOO_SHORT);
	EQ_INT(valid_password("日本語のパスワド"), VALID_OK);
	EQ_INT(valid_password(repeat(pw, sizeof(pw), "a", 1024)), VALID_OK);
	EQ_INT(valid_password(repeat(pw, sizeof(pw), "a", 1025)),
	    VALID_TOO_LONG);
}

#define TODAY "2025-06-15"

static void
birth_date_age_limits(void)
{
	/* Exactly 15 today. */
	EQ_INT(valid_birth_date("2010-06-15", TODAY, 15), VALID_OK);
	/* 15 tomorrow. */
	EQ_INT(valid_birth_date("2010-06-16", TODAY, 15), VALID_TOO_YOUNG);
	EQ_INT(valid_birth_date("2010-07-01", TODAY, 15), VALID_TOO_YOUNG);
	EQ_INT(valid_birth_date("2010-05-31", TODAY, 15), VALID_OK);
	EQ_INT(valid_birth_date("2024-12-31", TODAY, 15), VALID_TOO_YOUNG);
	/* 120 is the oldest accepted age. */
	EQ_INT(valid_birth_date("1905-06-15", TODAY, 15), VALID_OK);
	EQ_INT(valid_birth_date("1904-06-16", TODAY, 15), VALID_OK);
	EQ_INT(valid_birth_date("1904-06-15", TODAY, 15), VALID_TOO_OLD);
	EQ_INT(valid_birth_date("1850-01-01", TODAY, 15), VALID_TOO_OLD);
	/* Born on 29 February: 15 on 1 March of a common year. */
	EQ_INT(valid_birth_date("2008-02-29", "2023-03-01", 15), VALID_OK);
	EQ_INT(valid_birth_date("2008-02-29", "2024-02-29", 16), VALID_OK);
	/* The future is not a birth date. */
	EQ_INT(valid_birth_date("2026-01-01", TODAY, 0), VALID_INVALID);
	EQ_INT(valid_birth_date("2025-06-16", TODAY, 0), VALID_INVALID);
	EQ_INT(valid_birth_date(TODAY, TODAY, 0), VALID_OK);
}

static void
birth_date_calendar(void)
{
	EQ_INT(valid_birth_date("2000-02-29", TODAY, 15), VALID_OK);
	EQ_INT(valid_birth_date("2001-02-29", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("1904-02-29", "2020-01-01", 15), VALID_OK);
	EQ_INT(valid_birth_date("1900-02-29", "2000-01-01", 15),
	    VALID_INVALID);
	EQ_INT(valid_birth_date("2001-04-31", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2001-04-30", TODAY, 15), VALID_OK);
	EQ_INT(valid_birth_date("2001-12-31", TODAY, 15), VALID_OK);
	EQ_INT(valid_birth_date("2001-13-01", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2001-00-10", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2001-01-00", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2001-01-32", TODAY, 15), VALID_INVALID);
}

static void
birth_date_format(void)
{
	EQ_INT(valid_birth_date("", TODAY, 15), VALID_MISSING);
	EQ_INT(valid_birth_date(NULL, TODAY, 15), VALID_MISSING);
	EQ_INT(valid_birth_date("15/06/2000", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2000-6-15", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2000-06-15 ", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date(" 2000-06-15", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2000/06/15", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2000-06-1x", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("+200-06-15", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("20000-06-15", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2000-06-15", "garbage", 15), VALID_INVALID);
}

static void
postal_code_fr(void)
{
	EQ_INT(valid_postal_code_fr("75001"), VALID_OK);
	EQ_INT(valid_postal_code_fr("01000"), VALID_OK);
	EQ_INT(valid_postal_code_fr("97411"), VALID_OK);
	EQ_INT(valid_postal_code_fr(""), VALID_MISSING);
	EQ_INT(valid_postal_code_fr(NULL), VALID_MISSING);
	EQ_INT(valid_postal_code_fr("7500"), VALID_INVALID);
	EQ_INT(valid_postal_code_fr("750011"), VALID_INVALID);
	EQ_INT(valid_postal_code_fr("2A004"), VALID_INVALID);
	EQ_INT(valid_postal_code_fr(" 7500"), VALID_INVALID);
	EQ_INT(valid_postal_code_fr("75 01"), VALID_INVALID);
	EQ_INT(valid_postal_code_fr("７５００１"), VALID_INVALID);
}

static void
phone_numbers(void)
{
	EQ_INT(valid_phone("06 12 34 56 78"), VALID_OK);
	EQ_INT(valid_phone("0612345678"), VALID_OK);
	EQ_INT(valid_phone("+33 6 12 34 56 78"), VALID_OK);
	EQ_INT(valid_phone("(01) 23.45-67.89"), VALID_OK);
	EQ_INT(valid_phone("123456"), VALID_OK);
	EQ_INT(valid_phone("06123456789012345678"), VALID_OK);	/* 20 */
	EQ_INT(valid_phone(""), VALID_MISSING);
	EQ_INT(valid_phone(NULL), VALID_MISSING);
	EQ_INT(valid_phone("12345"), VALID_TOO_SHORT);
	EQ_INT(valid_phone("+ -.()   1 2"), VALID_TOO_SHORT);
	EQ_INT(valid_phone("061234567890123456789"), VALID_TOO_LONG);
	EQ_INT(valid_phone("+33+612345678"), VALID_BAD_CHARS);
	EQ_INT(valid_phone("06 12 ab 56 78"), VALID_BAD_CHARS);
	EQ_INT(valid_phone("06/12/34/56/78"), VALID_BAD_CHARS);
	EQ_INT(valid_phone("0612345678\n"), VALID_BAD_CHARS);
}

UNIT_SUITE(valid,
    UNIT(utf8_length_counts_code_points),
    UNIT(text_squeeze_whitespace),
    UNIT(person_name_recased),
    UNIT(person_name_length),
    UNIT(person_name_bad_chars),
    UNIT(person_name_needs_a_letter),
    UNIT(person_name_small_output),
    UNIT(email_ok_lowercased),
    UNIT(email_refused),
    UNIT(password_length),
    UNIT(birth_date_age_limits),
    UNIT(birth_date_calendar),
    UNIT(birth_date_format),
    UNIT(postal_code_fr),
    UNIT(phone_numbers))
