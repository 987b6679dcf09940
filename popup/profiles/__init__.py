"""The entrepreneur's profile, business plan and public vitrine."""
