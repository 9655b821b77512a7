"""Opening the database, first-run bootstrap and schema evolution."""
