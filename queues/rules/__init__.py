"""The hall's rules as pure functions, no database: a ticket's life (:mod:`.lifecycle`), which
ticket a window calls next (:mod:`.policy`), how long a wait will be (:mod:`.eta`) and how many
windows an hour needs (:mod:`.planner`)."""
