-- Callbacks forwarded as received (IM_CALLBACKS_FORWARD): a repeat of the same event (same natural key,
-- see CallbackDedupeKey) is recorded and forwarded once. NULL for callbacks without a key.
ALTER TABLE im_callback ADD COLUMN dedupe_key VARCHAR(64);
CREATE UNIQUE INDEX im_callback_dedupe ON im_callback (dedupe_key);
