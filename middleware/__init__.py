"""Route protection."""
