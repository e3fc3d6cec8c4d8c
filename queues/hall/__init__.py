"""The hall as its managers describe it: the hall file (zones, services, windows, hours, rules),
parsed and validated (:mod:`.config`), and its copy in the database kept in line (:mod:`.sync`)."""
