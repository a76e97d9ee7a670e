"""Planning: the critical path, honest estimates, waves and resource-feasible schedules."""
