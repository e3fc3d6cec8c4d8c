"""Persistence: the tables (:mod:`.models`), the engine and its transactions (:mod:`.db`),
migrations, backups, the events every change writes and the board versions it moves
(:mod:`.events`), ticket numbering (:mod:`.numbering`), and the statements over the live queue
that the use cases and the read side share (:mod:`.queue`)."""
