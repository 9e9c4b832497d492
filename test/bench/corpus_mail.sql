-- `make bench`: the mass-mail layer of issue 9 on top of
-- corpus_committees.sql (1,000,000 members): their consent, 100,000
-- newsletter subscribers and a suppression list, as a year of a real
-- movement would leave them. Run with psql -1 on the bench stack, once
-- (bench.sh runs it when the subscriptions are missing). Deterministic.
SELECT setseed(0.9);

-- Nine members in ten keep each default; the tenth turned it off.
INSERT INTO user_subscriptions (user_id, type)
SELECT u.id, t.code
FROM users u CROSS JOIN subscription_types t
WHERE u.email LIKE 'bench%@bench.civitas.localhost' AND t.default_on
AND (u.id + t.position) % 10 <> 0;

-- 100,000 confirmed subscribers without an account, in the communes of
-- the members.
INSERT INTO newsletter_subscribers (email, postal_code, departement, status,
	confirmed_at)
SELECT 'news' || i || '@bench.civitas.localhost', u.postal_code,
	u.departement, 'confirmed', now()
FROM generate_series(1, 100000) i
JOIN users u ON u.email = 'bench' || (i * 7 % 1000000 + 1) || '@bench.civitas.localhost';

-- 1% of the members bounced or complained.
INSERT INTO suppressions (email, reason)
SELECT email, CASE WHEN id % 3 = 0 THEN 'complaint' ELSE 'hard_bounce' END
FROM users
WHERE email LIKE 'bench%@bench.civitas.localhost' AND id % 100 = 7;

ANALYZE users;
ANALYZE user_subscriptions;
ANALYZE newsletter_subscribers;
ANALYZE suppressions;
