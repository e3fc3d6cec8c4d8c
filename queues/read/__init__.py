"""The read side: what screens, reports and the API show, built from the database in one read
transaction each. Nothing here changes a ticket or a window."""
