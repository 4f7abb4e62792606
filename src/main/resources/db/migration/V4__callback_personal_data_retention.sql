-- The raw callback and the caller's IP are personal data: they are purged after callback.retention-days,
-- while the destruction rows (im_topic_destroyed, im_group_destroyed) and the callback's metadata stay.
ALTER TABLE im_callback ALTER COLUMN raw_body DROP NOT NULL;
