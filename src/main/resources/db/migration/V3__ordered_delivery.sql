-- Ordered targets claim only the oldest pending delivery of each group: finding it is an index look-up.
-- Runs unchanged on PostgreSQL and on H2 (MODE=PostgreSQL).
CREATE INDEX webhook_delivery_group_order ON webhook_delivery (target, group_id, status, id);
