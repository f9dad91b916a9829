-- no-transaction
DROP INDEX CONCURRENTLY app.users_email_lower_idx;
