"""Users and roles, need-to-know, pseudonymisation, purpose-bound reveal and the audit log."""
