"""Data, audit and observability: MD701 persistent-storage, MD702 backup, MD703 audit-policy,
MD704 monitoring-and-logging.

Records of a medical device must outlive containers and be recoverable, the cluster's audit log must show who
did what without recording secret values, and logs and metrics must leave the device. One module per rule;
the data-store table (`stores.py`) is shared with MD605/MD606, which recognise databases by image.
"""

from medlint.checks.data.audit import audit_policy
from medlint.checks.data.backups import backup
from medlint.checks.data.monitoring import monitoring_and_logging
from medlint.checks.data.storage import persistent_storage

__all__ = ["audit_policy", "backup", "monitoring_and_logging", "persistent_storage"]
