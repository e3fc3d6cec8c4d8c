"""The processes hallq runs as: settings from the environment (:mod:`.settings`), the scheduler
and its single-runner lock (:mod:`.scheduler`), and threads that may not die quietly
(:mod:`.vital`)."""
