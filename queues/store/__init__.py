"""Persistence: the tables (:mod:`.models`), the engine and its transactions (:mod:`.db`),
migrations, backups, the events every change writes and the board versions it moves
(:mod:`.events`) and ticket numbering (:mod:`.numbering`)."""
