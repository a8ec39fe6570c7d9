"""What the platform tells people and programs outside it: e-mails and SMS to customers,
signed webhooks to shops; each sent by the worker from the outbox, once."""
