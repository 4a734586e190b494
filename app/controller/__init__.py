"""The window's logic without Qt: what to index next, what the gallery shows, which search is
the newest. `app/ui` lays it out; tests drive it directly."""
