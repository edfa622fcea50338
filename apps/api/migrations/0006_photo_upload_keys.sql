-- Idempotent photo uploads: a retried POST /api/v1/photos with the same
-- Idempotency-Key returns the photos the first attempt stored instead of storing
-- them twice. The key is kept on each photo of that upload.
alter table photos add column upload_key text check (length(upload_key) between 8 and 200);
create index photos_owner_upload_key_idx on photos (owner_subject, upload_key) where upload_key is not null;
