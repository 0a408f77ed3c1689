"""The project index: other modules' summaries (structure at once, facts on first use), module
resolution, models, and the questions that need the whole project (reach, callers)."""
