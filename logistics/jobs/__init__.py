"""Background jobs (Celery on Redis): planning a day, applying changes to a plan in
force, planning tomorrow on a schedule, importing big CSV files of orders, and taking
back the plans and imports a dead worker left."""
