"""Signals (tips), cases, triage, the interventions catalogue and outcomes: the operational store of case work."""
