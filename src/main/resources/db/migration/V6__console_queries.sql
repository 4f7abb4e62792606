-- What the delivery console asks for, by index (runs unchanged on PostgreSQL and on H2): callbacks and
-- attempts per minute over the last hour, and the deliveries made in the last hour.
CREATE INDEX im_callback_received ON im_callback (received_at);
CREATE INDEX webhook_attempt_attempted ON webhook_attempt (attempted_at);
CREATE INDEX webhook_delivery_delivered ON webhook_delivery (delivered_at);
