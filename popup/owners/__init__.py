"""The owner's space (their units, proposing one) and the staff's moderation of proposed units."""
