"""Task dependency graphs: merging declarations, cycles, and (later) scheduling."""
