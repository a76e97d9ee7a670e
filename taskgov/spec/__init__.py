"""The task spec: model, YAML reading and writing, effort parsing, plain task objects."""
