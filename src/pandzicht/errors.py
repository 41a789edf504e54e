"""Errors a user sees: one clear line each, never a stack trace."""


class PandzichtError(Exception):
    """An error whose message is meant for the user, in Dutch, naming file, row and field."""


class ContractError(PandzichtError):
    """The bundle breaks the intake contract in a way that refuses a whole file."""
