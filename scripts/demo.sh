#!/bin/bash
# Demo content for `make run` (never for production): an admin and an
# active member in Lyon, created once, then the site's content
# (demo-content.sh). Needs the stack env (. var/env).
set -euo pipefail
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL")
ADMIN_EMAIL=admin@civitas.localhost ADMIN_PASSWORD=civitas-admin
MEMBER_EMAIL=marianne@civitas.localhost MEMBER_PASSWORD=civitas-membre
# issue 13: the back-office asks the admin for a second factor (TOTP).
# Until the demo admin has enrolled one, every run makes a new enrolment
# link (replacing the previous one) and prints it with the account.
ADMIN_LINK=""
if [ -z "$("${PSQL[@]}" -tAc "SELECT 1 FROM users u JOIN admin_totp t
	ON t.user_id = u.id WHERE u.email = '$ADMIN_EMAIL'")" ]; then
	ADMIN_LINK=$(PASSWORD=$ADMIN_PASSWORD "$BIN_DIR/civitas-fcgi" admin \
		"$ADMIN_EMAIL" | sed -n 's|^\(http.*/admin/2fa/enrol/.*\)$|\1|p')
fi
if [ -z "$("${PSQL[@]}" -tAc "SELECT 1 FROM users WHERE email = '$MEMBER_EMAIL'")" ]; then
	hash=$(PASSWORD=$MEMBER_PASSWORD "$BIN_DIR/civitas-fcgi" hash)
	"${PSQL[@]}" -v hash="$hash" -v email="$MEMBER_EMAIL" <<'SQL'
INSERT INTO users (email, password_hash, first_name, last_name, gender,
	birth_date, address_street, postal_code, country, city_insee, city_name,
	status, activated_at, charter_accepted_at)
VALUES (:'email', :'hash', 'Marianne', 'Dupont', 'female', '1990-07-14',
	'1 place Bellecour', '69002', 'FR', '69382', 'Lyon 2e Arrondissement',
	'active', now(), now());
SQL
fi
# Articles, pages, photos (once; the admin above is their author). A
# failure leaves the site running, without the demo content.
"$(dirname "$0")/demo-content.sh" ||
	echo "demo: the demo content could not be created (see above)" >&2
cat <<MSG
Demo accounts:
  admin   $ADMIN_EMAIL / $ADMIN_PASSWORD
  member  $MEMBER_EMAIL / $MEMBER_PASSWORD
MSG
if [ -n "$ADMIN_LINK" ]; then
	cat <<MSG
The back-office (/admin) asks the admin for a second factor: log in as the
admin, then open this link (single use, 24 hours) and scan its QR code with
an authenticator app (FreeOTP, Aegis, Google Authenticator...):
  $ADMIN_LINK
MSG
else
	echo "  (the admin's second factor is enrolled; a new link: make admin EMAIL=$ADMIN_EMAIL PASSWORD=...)"
fi
