"""Dispatch: turn the plan into parallel work.

``taskgov.dispatch.assign`` says what the coordinator would start now (frontier tasks matched
to workers under resource limits, most urgent first); ``taskgov.dispatch.engine`` runs a
command per task in its own git worktree, as a rolling frontier, and ``finishing`` merges
each finished task into an integration branch through one merge queue. ``jobs`` holds a
run's data, ``processes`` its commands' process groups, ``workers`` reads who can work,
``pools`` books the shared resources, ``gitops`` holds every git step of a run, ``journal``
its state and event log, ``claiming`` its claims across machines, ``board`` what the live
view and the metrics show, ``pressure`` the backpressure, ``metrics`` the Prometheus
server, and ``simulate`` compares waves with the rolling frontier.
"""
