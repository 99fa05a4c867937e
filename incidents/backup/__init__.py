"""Backups and restores: `archive` takes, checks and restores a backup, from a consistent copy of
the database (`database`) and the evidence originals (`files`), optionally encrypted (`crypto`).
The schedule that takes them nightly is `incidents/backup_schedule.py`."""
