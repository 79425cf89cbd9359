"""The shipped data: curated plans, registries and their source texts."""
