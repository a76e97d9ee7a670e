"""Dispatch: turn the plan into parallel work.

``taskgov.dispatch.assign`` says what the coordinator would start now (frontier tasks matched
to workers under resource limits, most urgent first); ``taskgov.dispatch.engine`` runs a
command per task in its own git worktree, as a rolling frontier, and merges each finished
task into an integration branch through one merge queue. ``workers`` reads who can work,
``pools`` books the shared resources, ``gitops`` holds every git step of a run and
``journal`` its state and event log.
"""
