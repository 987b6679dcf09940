"""A user's own personal data: download it all, erase the account (popup.gdpr does the work)."""
