"""Git hooks: the checks they run (``run``) and their installation (``install``)."""
