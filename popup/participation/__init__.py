"""Residents take part: they report empty units and wish for what a vacant unit could become."""
