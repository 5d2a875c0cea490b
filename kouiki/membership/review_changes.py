"""Change, succession and withdrawal application kinds (MEM-I4..I6)."""
