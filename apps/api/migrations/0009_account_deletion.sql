-- Account deletion (docs/decisions/0020): the tombstone that keeps a deleted Clerk
-- account from coming back keeps only a SHA-256 of the subject, so that no table
-- holds anything of a deleted person.
alter table deleted_subjects rename column auth_subject to subject_sha256;
update deleted_subjects set subject_sha256 = encode(sha256(convert_to(subject_sha256, 'UTF8')), 'hex');
alter table deleted_subjects add constraint deleted_subjects_sha256_check check (subject_sha256 ~ '^[0-9a-f]{64}$');


-- Encryption at rest (docs/decisions/0020): Stripe customer ids are stored encrypted,
-- so a webhook finds its customer by a blind index (an HMAC) instead. Values written
-- before encryption are encrypted by the key-rotation job on the next start.
alter table billing_customers add column stripe_customer_index text;
create unique index billing_customers_index_idx on billing_customers (stripe_customer_index) where stripe_customer_index is not null;
