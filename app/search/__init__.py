"""Search: queries to vectors, nearest regions, grouping per image, explanations."""
