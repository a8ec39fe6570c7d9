"""Background jobs (Celery on Redis): planning a day, applying changes to a plan in
force, planning tomorrow on a schedule, and taking back plans a dead worker left."""
