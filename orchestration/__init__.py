"""Dagster code location: thin assets over the extractors, dbt and the publish step."""
