"""Open data: public unit data and monthly vacancy figures as CSV and GeoJSON."""
