"""Join application kinds (MEM-J2..J4)."""
