"""Words: the message catalogue in zh-CN and English (:mod:`.i18n`), where a visitor goes
(:mod:`.directions`), what a ticket slip says (:mod:`.slip`), and text made safe for a printer
(:mod:`.printable`) or a spreadsheet (:mod:`.cells`)."""
